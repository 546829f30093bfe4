using System.Collections.Concurrent;
using Offsite.Core.Storage;
using Offsite.Server.Abstractions;
using Offsite.Storage.Local;

namespace Offsite.Server.Tests.Doubles;

/// <summary>Real local-directory storage per repository name (several servers given the same root share the leases).</summary>
public sealed class LocalLeaseStorage : ILeaseStorageProvider, IDisposable
{
    private readonly ConcurrentDictionary<string, IStorage> _storages = new();

    public LocalLeaseStorage(string? root = null)
    {
        Root = root ?? Path.Combine(Path.GetTempPath(), "offsite-serve-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public IStorage GetStorage(string repository) => _storages.GetOrAdd(repository, name =>
    {
        string dir = Path.Combine(Root, name);
        Directory.CreateDirectory(dir);
        return new LocalStorage(dir);
    });

    public void Dispose()
    {
        foreach (IStorage s in _storages.Values)
        {
            s.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
