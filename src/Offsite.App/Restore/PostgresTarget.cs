using Offsite.Core.Content;
using Offsite.Core.Snapshots;
using Offsite.Sources.Postgres;

namespace Offsite.App.Restore;

/// <summary>
/// Restores a database dump snapshot into a PostgreSQL database (created when missing; with
/// <c>if_empty</c>, only once: the feature-branch recipe). <see cref="RestoreReport.Details"/> is the
/// <see cref="PgRestoreOutcome"/>.
/// </summary>
public sealed class PostgresTarget(PgConnection target, PgRestoreOptions options, string? pgBin) : IRestoreTarget
{
    public PgConnection Connection => target;

    public string Display => target.Display;

    public async Task<RestoreReport> RestoreAsync(Core.Repository.Repository repo, Snapshot snapshot, CancellationToken cancellationToken)
    {
        var source = await DumpSource.OpenAsync(new BlobLoader(repo), snapshot, cancellationToken).ConfigureAwait(false);
        var outcome = await new PgRestore(new PgTools(pgBin)).RestoreAsync(source, target, options, null, cancellationToken).ConfigureAwait(false);
        return new RestoreReport(outcome.Restored ? 1 : 0, 0, source.Size, outcome.Seconds, [], outcome);
    }
}
