using Offsite.Core.Storage;

namespace Offsite.App.Repositories;

/// <summary>An opened repository and the storage connection it owns; dispose it when done.</summary>
public sealed class OpenRepository : IAsyncDisposable
{
    public OpenRepository(Core.Repository.Repository repository) => Repository = repository;

    public Core.Repository.Repository Repository { get; }

    public IStorage Storage => Repository.Storage;

    public ValueTask DisposeAsync() => Repository.Storage.DisposeAsync();
}
