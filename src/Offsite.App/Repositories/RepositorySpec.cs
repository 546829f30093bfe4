using Offsite.App.Secrets;

namespace Offsite.App.Repositories;

/// <summary>
/// Everything needed to open a repository: where it is, how to reach it, which key opens it and
/// where its local cache lives (null: no cache).
/// </summary>
public sealed record RepositorySpec(string Location, S3Spec S3, KeySpec Key, string? CacheDirectory);
