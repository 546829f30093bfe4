using System.CommandLine;
using Offsite.App.Snapshots;
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

    public SnapshotFilter Filter(ParseResult r) =>
        new(r.GetValue(Source), r.GetValue(Host), r.GetValue(Tags) is { Length: > 0 } t ? t : null);

    /// <summary>Opens the repository, resolves the snapshot and loads the index: what every reading command starts with.</summary>
    /// <param name="treesOnly">the command reads trees, never file contents (<see cref="Repository.LoadIndexAsync"/>)</param>
    public async Task<(Repository Repo, Snapshot Snapshot, BlobLoader Loader)> OpenSnapshotAsync(GlobalSettings settings, ParseResult r, string reference, CancellationToken ct,
        bool treesOnly = false)
    {
        var repo = await CommandRunner.OpenAsync(settings, ct).ConfigureAwait(false);
        var snapshot = await FindAsync(repo, r, reference, ct).ConfigureAwait(false);
        await repo.LoadIndexAsync(ct, treesOnly).ConfigureAwait(false);
        return (repo, snapshot, new BlobLoader(repo, localTreeRanges: treesOnly));
    }

    public Task<Snapshot> FindAsync(Repository repo, ParseResult r, string reference, CancellationToken ct) =>
        SnapshotQuery.FindAsync(repo, reference, Filter(r), ct);
}
