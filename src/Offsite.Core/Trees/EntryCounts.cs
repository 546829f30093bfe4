namespace Offsite.Core.Trees;

/// <summary>
/// The one definition of what backup and restore count, so their summaries agree: regular files (each
/// hard-linked name counts once, as it is read once and written once), directories, symlinks, and
/// everything else (FIFOs, sockets, devices). Thread-safe: writers update it while progress reads it.
/// </summary>
public sealed class EntryCounts
{
    private long _files, _directories, _symlinks, _other;

    public long Files => Interlocked.Read(ref _files);
    public long Directories => Interlocked.Read(ref _directories);
    public long Symlinks => Interlocked.Read(ref _symlinks);
    /// <summary>FIFOs, sockets, character and block devices.</summary>
    public long Other => Interlocked.Read(ref _other);

    public void Add(NodeType type)
    {
        switch (type)
        {
            case NodeType.File:
                Interlocked.Increment(ref _files);
                break;
            case NodeType.Directory:
                Interlocked.Increment(ref _directories);
                break;
            case NodeType.Symlink:
                Interlocked.Increment(ref _symlinks);
                break;
            default:
                Interlocked.Increment(ref _other);
                break;
        }
    }
}
