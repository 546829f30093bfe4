namespace Offsite.Core.Errors;

/// <summary>
/// What went wrong, in the terms a user acts on. Each kind maps to one process exit code
/// (see <c>docs/cli.md</c>), so scripts can tell a wrong key from a damaged repository.
/// </summary>
public enum ErrorKind
{
    /// <summary>Bad arguments or configuration.</summary>
    Usage,
    /// <summary>The passphrase or key does not open this repository.</summary>
    WrongKey,
    /// <summary>The key is write-only and the operation needs to read.</summary>
    KeyCannotRead,
    /// <summary>An object is missing, truncated, or fails authentication.</summary>
    RepositoryDamaged,
    /// <summary>Some files could not be restored; the rest were.</summary>
    PartialRestore,
    /// <summary>Storage or local I/O failed (server down, disk full, permission denied).</summary>
    Io,
    /// <summary>No repository at the given location.</summary>
    RepositoryNotFound,
    /// <summary>A source (command, database dump) failed.</summary>
    SourceFailed,
    /// <summary>A snapshot or path named by the user does not exist.</summary>
    NotFound,
    /// <summary>Another process holds the prune lock, or a concurrent prune removed data this operation needed.</summary>
    Locked,
    /// <summary>Data sits in an archive storage class: a retrieval is needed or running; rerun when it completes.</summary>
    Archived,
}

/// <summary>An error with a message meant for the user and a kind that selects the exit code.</summary>
public class OffsiteException : Exception
{
    public OffsiteException(ErrorKind kind, string message, Exception? inner = null) : base(message, inner) => Kind = kind;

    public OffsiteException() : this(ErrorKind.Io, "unknown error") { }
    public OffsiteException(string message) : this(ErrorKind.Io, message) { }
    public OffsiteException(string message, Exception inner) : this(ErrorKind.Io, message, inner) { }

    public ErrorKind Kind { get; }
}
