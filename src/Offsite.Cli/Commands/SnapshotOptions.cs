using System.CommandLine;
using Offsite.Core.Content;
using Offsite.Core.Repository;
using Offsite.Core.Snapshots;

namespace Offsite.Cli.Commands;

/// <summary>The filters that pick <c>latest</c> (and narrow `snapshots`): --source, --host, --tag.</summary>
public sealed class SnapshotOptions
{
    public Option<string?> Source { get; } = new("--source") { Description = "only snapshots of this source" };
    public Option<string?> Host { get; } = new("--host") { Description = "only snapshots from this host" };
    public Option<string[]> Tags { get; } = new("--tag") { Description = "only snapshots with this tag (repeatable)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Source);
        command.Options.Add(Host);
        command.Options.Add(Tags);
    }

    public SnapshotFinder.Filter Filter(ParseResult r) =>
        new(r.GetValue(Source), r.GetValue(Host), r.GetValue(Tags) is { Length: > 0 } t ? t : null);

    /// <summary>Opens the repository, resolves the snapshot and loads the index: what every reading command starts with.</summary>
    public async Task<(Repository Repo, Snapshot Snapshot, BlobLoader Loader)> OpenSnapshotAsync(GlobalSettings settings, ParseResult r, string reference, CancellationToken ct)
    {
        var repo = await CommandRunner.OpenAsync(settings, ct).ConfigureAwait(false);
        var snapshot = await FindAsync(repo, r, reference, ct).ConfigureAwait(false);
        await repo.LoadIndexAsync(ct).ConfigureAwait(false);
        return (repo, snapshot, new BlobLoader(repo));
    }

    public async Task<Snapshot> FindAsync(Repository repo, ParseResult r, string reference, CancellationToken ct)
    {
        var all = await repo.ListAllSnapshotsAsync(ct).ConfigureAwait(false);
        var valid = all.Where(s => !repo.IsExpired(s)).ToList();
        if (reference != "latest" && valid.Count < all.Count
            && !valid.Any(s => s.Id.StartsWith(reference, StringComparison.Ordinal))
            && all.FirstOrDefault(s => s.Id.StartsWith(reference, StringComparison.Ordinal)) is { } expired)
        {
            throw new Offsite.Core.Errors.OffsiteException(Offsite.Core.Errors.ErrorKind.NotFound,
                $"snapshot {expired.Id[..8]} of {expired.Time:yyyy-MM-dd HH:mm} has expired under lifecycle retention: the bucket may already have deleted its data");
        }
        return SnapshotFinder.Find(valid, reference, Filter(r));
    }
}
