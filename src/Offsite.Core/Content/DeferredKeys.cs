using System.Runtime.InteropServices;

namespace Offsite.Core.Content;

/// <summary>
/// Keys of packs added to the master index unchecked (<see cref="MasterIndex.AddDeferred"/>) until they
/// are merged: one chunk in memory (1 MiB) and, when it fills, sorted runs in an unlinked temporary
/// file, so loading the index objects of 3 M blobs holds 1 MiB of keys, not 24 MiB.
/// </summary>
internal sealed class DeferredKeys : IDisposable
{
    private readonly string _directory;
    private readonly int _chunkKeys;
    private readonly List<(long Start, int Count)> _runs = new();
    private ulong[]? _chunk;
    private int _inChunk;
    private FileStream? _runFile;
    private long _written;

    /// <param name="directory">where the run file is created (and at once unlinked)</param>
    /// <param name="chunkKeys">keys kept in memory before they are sorted and written as a run</param>
    public DeferredKeys(string directory, int chunkKeys)
    {
        _directory = directory;
        _chunkKeys = chunkKeys;
    }

    public long Count => _written + _inChunk;

    public void Add(ulong key)
    {
        _chunk ??= new ulong[_chunkKeys];
        _chunk[_inChunk++] = key;
        if (_inChunk == _chunkKeys)
        {
            Spill();
        }
    }

    private void Spill()
    {
        _runFile ??= UnlinkedTempFile.Create(_directory, "index-runs");
        Array.Sort(_chunk!, 0, _inChunk);
        RandomAccess.Write(_runFile.SafeFileHandle, MemoryMarshal.AsBytes(_chunk.AsSpan(0, _inChunk)), _written * sizeof(ulong));
        _runs.Add((_written, _inChunk));
        _written += _inChunk;
        _inChunk = 0;
    }

    /// <summary>
    /// One sorted cursor per run and one for the keys still in memory. They read this object's file:
    /// dispose of it only after the merge.
    /// </summary>
    public List<RunCursor<ulong>> Runs()
    {
        var cursors = new List<RunCursor<ulong>>(_runs.Count + 1);
        foreach (var (start, count) in _runs)
        {
            cursors.Add(RunCursor<ulong>.Over(_runFile!.SafeFileHandle, start, count));
        }
        if (_inChunk > 0)
        {
            Array.Sort(_chunk!, 0, _inChunk);
            cursors.Add(RunCursor<ulong>.Over(_chunk!, _inChunk));
        }
        return cursors;
    }

    public void Dispose() => _runFile?.Dispose();
}
