namespace Offsite.Core.Storage;

/// <summary>A storage operation failed for a reason other than a missing object (I/O, network, permissions).</summary>
public class StorageException : Exception
{
    public StorageException(string message) : base(message) { }
    public StorageException(string message, Exception inner) : base(message, inner) { }
    public StorageException() { }
}

/// <summary>The object does not exist.</summary>
public sealed class ObjectNotFoundException : StorageException
{
    public ObjectNotFoundException(string key) : base($"object not found: {key}") => Key = key;
    public ObjectNotFoundException(string key, Exception inner) : base($"object not found: {key}", inner) => Key = key;
    public ObjectNotFoundException() { Key = ""; }
    public ObjectNotFoundException(string message, string key) : base(message) => Key = key;

    public string Key { get; }
}
