using Offsite.Codecs.Chunking;
using Offsite.Core.Backup;
using Offsite.Core.Cache;
using Offsite.Core.Content;
using Offsite.Core.Sources;
using Offsite.Core.Trees;

namespace Offsite.Core.Archiver;

/// <summary>
/// Turns a tree source into trees and data blobs. Unchanged files (per the files cache) are not
/// read; their blobs must still be in the index, otherwise they are read again. Unreadable entries
/// are reported and skipped, never fatal: one locked file must not lose a backup.
/// </summary>
public sealed class TreeArchiver
{
    private readonly BlobSaver _saver;
    private readonly Chunker _chunker;
    private readonly FilesCacheReader _previous;
    private readonly FilesCacheReader? _lookahead;
    private readonly FilesCacheWriter _next;
    private readonly BackupProgress _progress;
    private readonly System.Buffers.ArrayPool<byte> _readerBuffers;
    private readonly byte[] _smallFileBuffer;
    private readonly StageTimes? _stages;

    /// <param name="previous">the last run's files cache, read forward as files are visited</param>
    /// <param name="next">this run's files cache</param>
    /// <param name="lookahead">a second cursor on the last run's cache for <see cref="WillReuse"/>, which a
    /// read-ahead source calls for entries ahead of the one being archived (one cursor serving both
    /// would move past entries the archiver has yet to look up); null when nothing reads ahead</param>
    /// <param name="stages">where the walk, reads and chunking add their CPU time, or null</param>
    public TreeArchiver(BlobSaver saver, Chunker chunker, FilesCacheReader previous, FilesCacheWriter next, BackupProgress progress,
        FilesCacheReader? lookahead = null, StageTimes? stages = null)
    {
        _stages = stages;
        _saver = saver;
        _chunker = chunker;
        _previous = previous;
        _lookahead = lookahead;
        _next = next;
        _progress = progress;
        // Files are read one at a time: one reader buffer and one small-file buffer serve them all.
        _readerBuffers = chunker.CreateBufferPool(1);
        _smallFileBuffer = new byte[chunker.Parameters.MinSize + 1];
    }

    /// <summary>Archives the whole source; returns the root tree's id.</summary>
    public async Task<BlobId> ArchiveAsync(ITreeSource source, CancellationToken cancellationToken)
    {
        var tree = new Tree();
        await foreach (var entry in source.ListRootAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await ArchiveEntryAsync(source, entry, "", cancellationToken).ConfigureAwait(false) is { } node) tree.Nodes.Add(node);
        }
        return await _saver.SaveAsync(BlobType.Tree, tree.Serialize(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One entry and, for a directory, everything below it. Null when it is unreadable.</summary>
    /// <param name="parent">the entry's directory below the source root, for the progress display</param>
    private async Task<Node?> ArchiveEntryAsync(ITreeSource source, SourceEntry entry, string parent, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var node = entry.Node;
        if (entry.Error is { } error)
        {
            _progress.Warn($"skipped {error.PathText}: {error.Message}");
            return null;
        }
        try
        {
            switch (node.Type)
            {
                case NodeType.Directory:
                    node.Subtree = (await ArchiveDirectoryAsync(source, entry, parent + "/" + node.Name, cancellationToken).ConfigureAwait(false)).ToString();
                    _progress.AddDirectory();
                    break;
                case NodeType.File:
                    _progress.Reading(parent + "/" + node.Name);
                    node.Content = await ArchiveFileAsync(source, entry, cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    _progress.AddSpecial(node.Type);
                    break;
            }
        }
        catch (SourceEntryException e)
        {
            _progress.Warn($"skipped {e.PathText}: {e.Message}");
            return null;
        }
        return node;
    }

    private async Task<BlobId> ArchiveDirectoryAsync(ITreeSource source, SourceEntry directory, string path, CancellationToken cancellationToken)
    {
        var tree = new Tree();
        await using var entries = source.ListAsync(directory, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            // Only the listing is the walk's: the entries' own work is timed by their stages.
            var walk = _stages?.Start();
            bool more = await entries.MoveNextAsync().ConfigureAwait(false);
            if (walk is { } started) _stages!.Stop(BackupStage.Walk, started);
            if (!more) break;
            if (await ArchiveEntryAsync(source, entries.Current, path, cancellationToken).ConfigureAwait(false) is { } node) tree.Nodes.Add(node);
        }
        return await _saver.SaveAsync(BlobType.Tree, tree.Serialize(), cancellationToken).ConfigureAwait(false);
    }

    private async Task<List<string>> ArchiveFileAsync(ITreeSource source, SourceEntry entry, CancellationToken cancellationToken)
    {
        var print = entry.Fingerprint;
        string? key = entry.CacheKey;
        if (TryReuse(_previous, entry, out var cached, out bool seenBefore))
        {
            _next.Add(key!, cached);
            _progress.AddFile(print.Size, unchanged: true);
            entry.Node.Size = cached.Size;
            return cached.Content.Select(id => id.ToString()).ToList();
        }

        var ids = new List<BlobId>();
        long total;
        var open = _stages?.Start();
        await using (var stream = await source.OpenReadAsync(entry, cancellationToken).ConfigureAwait(false))
        {
            if (open is { } started) _stages!.Stop(BackupStage.Read, started);
            total = print.Size < _chunker.Parameters.MinSize
                ? await SaveSmallAsync(stream, ids, cancellationToken).ConfigureAwait(false)
                : await ChunkAsync(stream, ids, cancellationToken).ConfigureAwait(false);
        }
        entry.Node.Size = total;
        if (key is not null) _next.Add(key, new FilesCache.Entry(print.MtimeNs, print.Change, total, print.Identity, ids.ToArray()));
        _progress.AddFile(total, unchanged: false);
        if (seenBefore) _progress.AddChangedFile();
        return ids.Select(id => id.ToString()).ToList();
    }

    /// <summary>True when <paramref name="entry"/> is unchanged since the previous backup and its blobs are still stored: it is not read.</summary>
    /// <remarks>Asked in walk order, ahead of the archiver, through the look-ahead cursor.</remarks>
    public bool WillReuse(SourceEntry entry) =>
        TryReuse(_lookahead ?? throw new InvalidOperationException("the archiver was built without a look-ahead cursor"), entry, out _, out _);

    /// <param name="seenBefore">the files cache has the entry (reused or not): a file not reused is changed, not new</param>
    private bool TryReuse(FilesCacheReader cache, SourceEntry entry, out FilesCache.Entry cached, out bool seenBefore)
    {
        var print = entry.Fingerprint;
        cached = default;
        seenBefore = entry.CacheKey is { } key && cache.TryGet(key, out cached);
        return seenBefore
            && cached.MtimeNs == print.MtimeNs && cached.CtimeNs == print.Change && cached.Size == print.Size && cached.Inode == print.Identity
            && cached.Content.All(_saver.IsKnown);
    }

    /// <summary>A file smaller than the chunker's minimum: one read, one blob (the chunker could not cut it anyway).</summary>
    private async Task<long> SaveSmallAsync(Stream stream, List<BlobId> ids, CancellationToken cancellationToken)
    {
        byte[] buffer = _smallFileBuffer;
        int n = 0, r;
        var read = _stages?.Start();
        while (n < buffer.Length && (r = await stream.ReadAsync(buffer.AsMemory(n), cancellationToken).ConfigureAwait(false)) > 0)
        {
            n += r;
        }
        if (read is { } started) _stages!.Stop(BackupStage.Read, started);
        if (n < buffer.Length)
        {
            if (n > 0) ids.Add(await _saver.SaveAsync(BlobType.Data, buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false));
            _progress.ReadPart(n);
            return n;
        }
        // Grew since it was listed: chunk what was read followed by the rest.
        using var whole = new ConcatenatedStream(buffer.AsMemory(0, n), stream);
        return await ChunkAsync(whole, ids, cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> ChunkAsync(Stream stream, List<BlobId> ids, CancellationToken cancellationToken)
    {
        using var reader = _chunker.Open(stream, _readerBuffers, _stages?.CpuClock);
        long total = await ChunkPipeline.SaveAllAsync(_saver, reader, ids, _progress.ReadPart, cancellationToken).ConfigureAwait(false);
        _stages?.AddReader(reader);
        return total;
    }
}
