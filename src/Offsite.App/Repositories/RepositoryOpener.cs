using Offsite.App.Secrets;
using Offsite.Core.Repository;
using Offsite.Core.Storage;

namespace Offsite.App.Repositories;

/// <summary>Opens repositories from a <see cref="RepositorySpec"/>: the one way every front end does it.</summary>
public sealed class RepositoryOpener
{
    private readonly RuntimeContext _runtime;
    private readonly Func<string>? _prompt;

    /// <param name="prompt">asks for a passphrase when no source is configured (a terminal); null for daemons</param>
    public RepositoryOpener(RuntimeContext runtime, Func<string>? prompt)
    {
        _runtime = runtime;
        _prompt = prompt;
    }

    public RuntimeContext Runtime => _runtime;

    public IStorage OpenStorage(RepositorySpec spec) => StorageOpener.Open(spec.Location, spec.S3, _runtime.Clock, _runtime.Logger);

    /// <summary>Reads the config first, so a missing repository is reported before anyone is asked for a passphrase.</summary>
    public async Task<OpenRepository> OpenAsync(RepositorySpec spec, CancellationToken cancellationToken)
    {
        var storage = OpenStorage(spec);
        try
        {
            var config = await Repository.ReadConfigAsync(storage, cancellationToken).ConfigureAwait(false);
            var key = spec.Key.Resolve(_prompt);
            var repository = await Repository.OpenAsync(storage, key, spec.CacheDirectory, config, _runtime, cancellationToken).ConfigureAwait(false);
            return new OpenRepository(repository);
        }
        catch
        {
            await storage.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// A directory that holds files but no repository is someone's data, or a mistyped path: a repository
    /// created in it would mix with it. An existing repository (it has a config) is reported by
    /// <see cref="Repository.InitAsync(IStorage, string, RepositoryConfig, string?, RuntimeContext, CancellationToken)"/>.
    /// </summary>
    private static void RefuseForeignDirectory(string path)
    {
        if (Directory.Exists(path) && !File.Exists(Path.Combine(path, ObjectKeys.Config)) && Directory.EnumerateFileSystemEntries(path).Any())
        {
            throw new Core.Errors.OffsiteException(Core.Errors.ErrorKind.Usage,
                $"{path} is not empty and holds no repository: init creates a repository in a new or empty directory only");
        }
    }

    /// <summary>Creates a repository; the passphrase protects its first key.</summary>
    public async Task<OpenRepository> InitAsync(RepositorySpec spec, RepositoryConfig template, Func<string>? promptTwice, CancellationToken cancellationToken)
    {
        var storage = OpenStorage(spec);
        try
        {
            if (storage is Offsite.Storage.Local.LocalStorage local)
            {
                RefuseForeignDirectory(local.Location);
            }
            string passphrase = spec.Key.ResolvePassphrase(promptTwice);
            var repository = await Repository.InitAsync(storage, passphrase, template, spec.CacheDirectory, _runtime, cancellationToken).ConfigureAwait(false);
            return new OpenRepository(repository);
        }
        catch
        {
            await storage.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
