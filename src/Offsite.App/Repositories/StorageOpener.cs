using Microsoft.Extensions.Logging;
using Offsite.Core.Errors;
using Offsite.Core.Storage;
using Offsite.Storage.Local;
using Offsite.Storage.S3;

namespace Offsite.App.Repositories;

/// <summary>Turns a repository location into a storage backend: a directory path (or local:PATH), or an s3: URL.</summary>
public static class StorageOpener
{
    public static IStorage Open(string location, S3Spec s3, TimeProvider time, ILogger logger)
    {
        if (string.IsNullOrEmpty(location))
        {
            throw new OffsiteException(ErrorKind.Usage, "no repository given: use -r/--repo, set OFFSITE_REPOSITORY, or name a job or repository of the config file");
        }
        if (S3Url.IsS3(location))
        {
            return new S3Storage(s3.ToOptions(location, time, logger));
        }
        if (location.StartsWith("local:", StringComparison.Ordinal))
        {
            location = location["local:".Length..];
        }
        return new LocalStorage(location) { Time = time };
    }
}
