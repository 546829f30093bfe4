using Offsite.Core.Storage;

namespace Offsite.Core.Locking;

/// <summary>Another process holds an unexpired lock. The message names the holder and when the lock expires.</summary>
public sealed class RepositoryLockedException : StorageException
{
    public RepositoryLockedException(string name, LockInfo holder)
        : base($"the repository is locked ({name}): {holder.Describe()}; try again after it expires, or remove locks/{name} if that process is known to be gone")
    {
        Name = name;
        Holder = holder;
    }

    public RepositoryLockedException() : base("the repository is locked") { Name = ""; }
    public RepositoryLockedException(string message) : base(message) { Name = ""; }
    public RepositoryLockedException(string message, Exception inner) : base(message, inner) { Name = ""; }

    public string Name { get; }
    public LockInfo? Holder { get; }
}

/// <summary>A held lock was found replaced or removed (it expired and someone else took it): stop what it protected.</summary>
public sealed class LockLostException : StorageException
{
    public LockLostException(string name, LockInfo? now)
        : base(now is null
            ? $"the lock locks/{name} was removed while held: another process may have taken it after it expired"
            : $"the lock locks/{name} was taken over while held (it had expired): now {now.Describe()}")
    {
        Name = name;
    }

    public LockLostException() : base("the lock was lost") { Name = ""; }
    public LockLostException(string message) : base(message) { Name = ""; }
    public LockLostException(string message, Exception inner) : base(message, inner) { Name = ""; }

    public string Name { get; }
}
