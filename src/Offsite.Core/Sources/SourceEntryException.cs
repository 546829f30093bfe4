namespace Offsite.Core.Sources;

/// <summary>
/// One entry of a tree source could not be read (vanished, permission denied). The archiver
/// reports it as a warning and goes on: one locked file must not lose a backup.
/// </summary>
public sealed class SourceEntryException : Exception
{
    public SourceEntryException(string pathText, string message, Exception? inner = null)
        : base(message, inner) => PathText = pathText;

    public SourceEntryException() : this("", "unreadable entry") { }

    public SourceEntryException(string message) : this("", message) { }

    public SourceEntryException(string message, Exception inner) : this("", message, inner) { }

    /// <summary>The entry's path as a user would type it (escaped where not UTF-8).</summary>
    public string PathText { get; }
}
