using Offsite.App.Backup;
using Offsite.App.Sources;
using Offsite.App.Sources.S3;
using Offsite.Core.Errors;

namespace Offsite.Cli.Commands;

/// <summary>
/// <c>offsite backup s3:https://host/bucket[/prefix]</c> (or <c>s3://bucket/prefix</c>): every object of the
/// bucket into one snapshot. The bucket is a positional argument, the repository stays <c>-r</c>, so the
/// same URL form serves both without ambiguity; a local directory named like one is given as <c>./s3:…</c>.
/// </summary>
public static class S3Backup
{
    public static bool Handles(string[] args) => args.Any(S3BucketConnection.IsBucketUrl);

    public static async Task<int> RunAsync(GlobalSettings s, string[] args, BackupRequest request, CliBackupObserver observer, CancellationToken ct)
    {
        if (args.Length != 1)
        {
            throw new OffsiteException(ErrorKind.Usage, "a bucket (s3:…) is backed up on its own: give it as the only argument (one backup per bucket)");
        }
        // Planned before the repository opens: a bad URL or missing credentials is reported first.
        var plan = new S3SourceOptions { Url = args[0] }.Plan(new SourceContext([], CliEnvironment.Get));
        var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
        await BackupService.BackupTreeAsync(repo, plan.Tree!, plan.Paths, request with { SourceName = request.SourceName ?? plan.SourceName }, observer, ct).ConfigureAwait(false);
        if (s.Json)
        {
            Output.Json(observer.Results[0]!.DeepClone());
        }
        return ExitCodes.Ok;
    }
}
