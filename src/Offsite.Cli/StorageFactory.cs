using Offsite.Core.Errors;
using Offsite.Core.Storage;
using Offsite.Storage.Local;
using Offsite.Storage.S3;

namespace Offsite.Cli;

/// <summary>Turns a repository location into a storage backend.</summary>
public static class StorageFactory
{
    public static IStorage Open(GlobalSettings s)
    {
        string? location = s.Repository ?? Environment.GetEnvironmentVariable("OFFSITE_REPOSITORY");
        if (string.IsNullOrEmpty(location))
        {
            throw new OffsiteException(ErrorKind.Usage, "no repository given: use -r/--repo or set OFFSITE_REPOSITORY");
        }
        if (S3Url.IsS3(location))
        {
            return new S3Storage(s.S3.ToOptions(location));
        }
        if (location.StartsWith("local:", StringComparison.Ordinal))
        {
            location = location["local:".Length..];
        }
        return new LocalStorage(location);
    }
}
