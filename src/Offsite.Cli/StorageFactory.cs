using Offsite.Core.Errors;
using Offsite.Core.Storage;
using Offsite.Storage.Local;

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
        if (location.StartsWith("s3:", StringComparison.Ordinal))
        {
            throw new OffsiteException(ErrorKind.Usage, "S3 repositories are not supported by this build yet");
        }
        if (location.StartsWith("local:", StringComparison.Ordinal))
        {
            location = location["local:".Length..];
        }
        return new LocalStorage(location);
    }
}
