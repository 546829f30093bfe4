using Offsite.Core.Storage;

namespace Offsite.Server.Abstractions;

/// <summary>
/// Gives the server the storage of a repository, where it keeps the job leases (<c>locks/job-&lt;name&gt;/…</c>,
/// plaintext JSON, see docs/format.md). The server only lists, reads, creates (conditional), overwrites and deletes
/// objects under <c>locks/job-</c>; it never touches anything else. Return the same instance for the same name; the
/// server does not dispose it.
/// </summary>
public interface ILeaseStorageProvider
{
    IStorage GetStorage(string repository);
}
