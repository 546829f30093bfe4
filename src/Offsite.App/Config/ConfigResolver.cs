using Offsite.App.Repositories;
using Offsite.App.Secrets;
using Offsite.Core.Errors;

namespace Offsite.App.Config;

/// <summary>Turns config sections into what the application layer runs: repository specs, jobs.</summary>
public static class ConfigResolver
{
    public static JobSection Job(OffsiteConfig config, string name) =>
        config.Jobs.TryGetValue(name, out var job) ? job
        : throw new OffsiteException(ErrorKind.Usage, $"no job '{name}' in {config.File} (jobs: {(config.Jobs.Count == 0 ? "none" : string.Join(", ", config.Jobs.Keys))})");

    public static string RepositoryNameOf(OffsiteConfig config, JobSection job) =>
        job.Repository ?? config.Repositories.Keys.Single();

    public static RepositorySection Repository(OffsiteConfig config, string name) =>
        config.Repositories.TryGetValue(name, out var repo) ? repo
        : throw new OffsiteException(ErrorKind.Usage, $"no repository '{name}' in {config.File}");

    /// <param name="defaultCache">the cache directory when the section names none</param>
    public static RepositorySpec Spec(RepositorySection section, string? defaultCache)
    {
        var key = new KeySpec(
            KeyFile: section.Key?.File, KeyCommand: section.Key?.Command, KeyText: section.Key?.Value,
            PasswordFile: section.Password?.File, PasswordCommand: section.Password?.Command, Password: section.Password?.Value);
        var s3 = section.S3 is { } s ? new S3Spec
        {
            Endpoint = s.Endpoint, Region = s.Region, PathStyle = s.PathStyle, Profile = s.Profile,
            AccessKeyId = s.AccessKeyId, SecretAccessKey = s.SecretAccessKey?.Resolve("s3 secret access key"),
            IoTimeoutSeconds = s.IoTimeout is { } t ? (int)t.TotalSeconds : null, Retries = s.Retries,
        } : new S3Spec();
        if (section.ObjectLock is { } lockSection)
        {
            s3 = s3 with { ObjectLock = lockSection.Mode, LockDays = lockSection.Days };
        }
        return new RepositorySpec(section.Location, s3, key, section.NoCache ? null : section.CacheDir ?? defaultCache);
    }
}
