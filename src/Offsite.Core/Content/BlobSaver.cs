using System.Threading.Channels;
using Offsite.Codecs.Compression;
using Offsite.Core.Backup;
using Offsite.Core.Repository;

namespace Offsite.Core.Content;

/// <summary>
/// The write half of the content layer: id → dedup → compress → pack → encrypt → upload.
/// The callers (the archiver, and <see cref="ChunkPipeline"/>'s saves) compute ids and skip known blobs; new blobs go through a
/// bounded channel to compression workers that fill packs; full packs are sealed and uploaded
/// with a bounded number in flight. Every bound is in blobs or packs, so memory stays fixed
/// however large the source or the repository is. <see cref="FlushAsync"/> writes the index
/// covering every new pack; only then may a snapshot refer to them.
/// </summary>
public sealed class BlobSaver : IAsyncDisposable
{
    private const int QueueCapacity = 2;
    private const int MaxUploadsInFlight = 2;
    /// <summary>Write an index every so many packs, so a killed backup keeps most of its work even without a cache.</summary>
    private const int PacksPerIndex = 64;
    /// <summary>
    /// ... or once its packs hold this many blobs (as restic does): packs of small files hold tens of
    /// thousands, and one index object for all of them would be one large allocation to write and,
    /// in every later run, to read.
    /// </summary>
    private const int BlobsPerIndex = 50_000;

    private readonly Repository.Repository _repo;
    private readonly Channel<WorkItem> _queue;
    private readonly Task[] _workers;
    private readonly HashSet<BlobId> _pending = new();
    private readonly Lock _packLock = new();
    private readonly SemaphoreSlim _uploadSlots = new(MaxUploadsInFlight);
    private readonly List<Task> _uploads = new();
    private readonly List<PackInfo> _unindexed;
    private int _unindexedBlobs;
    private readonly CancellationTokenSource _failed = new();
    /// <summary>Stops the compression workers only: an interrupted backup lets the uploads in flight finish (<see cref="KeepUploadedAsync"/>).</summary>
    private readonly CancellationTokenSource _stopWorkers;
    /// <summary>Chunk copies waiting for or being compressed, and the compressors' output.</summary>
    private readonly ChunkBufferPool _chunkBuffers;
    private readonly SemaphoreSlim _enqueueing = new(1);
    /// <summary>
    /// One open pack per blob type: trees go to their own packs (as in restic), so listing, diffing
    /// and checking read only small tree packs, and a restore's tree walk does not evict data packs.
    /// </summary>
    private readonly PackBuilder?[] _builders = new PackBuilder?[2];
    private Exception? _failure;
    private long _newBlobs, _addedBytes, _addedStoredBytes, _reusedBytes, _uploadedPacks, _uploadedBytes;

    /// <summary>True for a dry run: blobs are identified and counted, nothing is packed or written.</summary>
    private readonly bool _dryRun;
    private readonly StageTimes? _stages;

    /// <param name="dryRun">identify and count new blobs only (backup --dry-run): no pack, index or cache file is written</param>
    /// <param name="stages">where hashing, compression, encryption and storing add their CPU time, or null</param>
    public BlobSaver(Repository.Repository repository, IEnumerable<PackInfo> unindexedPacks, int workers = 0, bool dryRun = false, StageTimes? stages = null)
    {
        _stages = stages;
        _dryRun = dryRun;
        _repo = repository;
        _unindexed = unindexedPacks.ToList();
        _unindexedBlobs = _unindexed.Sum(p => p.Entries.Count);
        int workerCount = workers > 0 ? workers : Math.Max(1, repository.Runtime.Processors);
        // In use at once: the queue's chunks, the one being copied in, and each worker's chunk and output.
        _chunkBuffers = new ChunkBufferPool(QueueCapacity + 1 + 2 * workerCount);
        _queue = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(QueueCapacity) { SingleWriter = false }); // ChunkPipeline saves two chunks at once
        _stopWorkers = CancellationTokenSource.CreateLinkedTokenSource(_failed.Token);
        _workers = dryRun ? [] : Enumerable.Range(0, workerCount).Select(_ => Task.Run(WorkerAsync)).ToArray();
    }

    public long NewBlobs => Interlocked.Read(ref _newBlobs);
    public long AddedBytes => Interlocked.Read(ref _addedBytes);
    public long AddedStoredBytes => Interlocked.Read(ref _addedStoredBytes);
    /// <summary>Bytes of blobs this run read and found already stored (by an earlier or an interrupted backup).</summary>
    public long ReusedBytes => Interlocked.Read(ref _reusedBytes);
    public IReadOnlyList<string> WrittenIndexes => _writtenIndexes;
    private readonly List<string> _writtenIndexes = new();

    public BlobId ComputeId(ReadOnlySpan<byte> data) => BlobId.Compute(_repo.Key.BlobIdKey, data);

    /// <summary>True when the repository (or this backup) already has the blob in a pack a new snapshot may use.</summary>
    public bool IsKnown(BlobId id)
    {
        lock (_pending)
        {
            return _pending.Contains(id) || _repo.CanReuse(id);
        }
    }

    /// <summary>Stores <paramref name="data"/> unless a blob with the same id exists. The data is copied.</summary>
    public async ValueTask<BlobId> SaveAsync(BlobType type, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        var hashing = _stages?.Start();
        var id = ComputeId(data.Span);
        bool known;
        lock (_pending)
        {
            known = _repo.CanReuse(id);
            if (known && type == BlobType.Data) Interlocked.Add(ref _reusedBytes, data.Length);
            known = known || !_pending.Add(id);
        }
        if (hashing is { } started) _stages!.Stop(BackupStage.Hash, started);
        if (known)
        {
            return id;
        }
        if (_dryRun)
        {
            // Counted as stored uncompressed: a dry run does not spend the compression work.
            Interlocked.Increment(ref _newBlobs);
            Interlocked.Add(ref _addedBytes, data.Length);
            return id;
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _failed.Token);
        byte[]? copy = null;
        // One caller at a time copies and waits for room in the queue (ChunkPipeline saves two chunks at
        // once): two copies waiting for the compressors held a chunk buffer more (+4 MiB peak, 2 GiB stream).
        try
        {
            await _enqueueing.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_failed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            ThrowIfFailed();
            throw;
        }
        try
        {
            copy = _chunkBuffers.Rent(data.Length);
            data.Span.CopyTo(copy);
            await _queue.Writer.WriteAsync(new WorkItem(id, type, copy, data.Length), linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_failed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            _chunkBuffers.Return(copy!);
            ThrowIfFailed();
            throw;
        }
        finally
        {
            _enqueueing.Release();
        }
        return id;
    }

    private async Task WorkerAsync()
    {
        using var compressor = new ZstdCompressor(_repo.Config.CompressionLevel);
        try
        {
            await foreach (var item in _queue.Reader.ReadAllAsync(_stopWorkers.Token).ConfigureAwait(false))
            {
                byte[]? scratch = null;
                try
                {
                    var raw = item.Buffer.AsSpan(0, item.Length);
                    var compressing = _stages?.Start();
                    // Already-compressed data (gzip, media) is stored raw without a zstd pass to find out.
                    int compressed = -1;
                    if (!CompressibilityProbe.LooksIncompressible(raw))
                    {
                        // The frame is only useful if smaller than the chunk: TryCompress needs no more room than that.
                        scratch = _chunkBuffers.Rent(item.Length);
                        compressed = compressor.TryCompress(raw, scratch);
                    }
                    if (compressing is { } started) _stages!.Stop(BackupStage.Compress, started);
                    var stored = compressed >= 0 ? scratch!.AsSpan(0, compressed) : raw;
                    var compression = compressed >= 0 ? BlobCompression.Zstd : BlobCompression.None;
                    PackBuilder? full = null;
                    var encrypting = _stages?.Start();
                    lock (_packLock)
                    {
                        ref PackBuilder? builder = ref _builders[(int)item.Type];
                        // Packs are sealed into temporary files as they fill (PackBuilder): memory holds
                        // the blobs in the queue and being compressed, never a pack (docs/design.md, "Memory").
                        builder ??= new PackBuilder(_repo.SealingDirectory, _repo.Key.Recipient);
                        builder.Add(item.Id, item.Type, compression, item.Length, stored);
                        if (builder.Length >= _repo.Config.PackSize)
                        {
                            full = builder;
                            builder = null;
                        }
                    }
                    if (encrypting is { } encryptStart) _stages!.Stop(BackupStage.Encrypt, encryptStart);
                    Interlocked.Increment(ref _newBlobs);
                    Interlocked.Add(ref _addedBytes, item.Length);
                    Interlocked.Add(ref _addedStoredBytes, stored.Length);
                    if (full is not null)
                    {
                        await StartUploadAsync(full).ConfigureAwait(false);
                    }
                }
                finally
                {
                    _chunkBuffers.Return(item.Buffer);
                    if (scratch is not null) _chunkBuffers.Return(scratch);
                }
            }
        }
        catch (OperationCanceledException) when (_stopWorkers.IsCancellationRequested)
        {
            // Stopped on purpose (an interrupted backup) or after a failure that Fail already recorded.
            return;
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    /// <summary>Waits for an upload slot (backpressure), then uploads in the background.</summary>
    private async Task StartUploadAsync(PackBuilder builder)
    {
        try
        {
            await _uploadSlots.WaitAsync(_failed.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_failed.IsCancellationRequested)
        {
            // Another upload failed while this pack waited: report that failure, not the cancellation.
            builder.Dispose();
            ThrowIfFailed();
            throw;
        }
        var task = Task.Run(async () =>
        {
            try
            {
                await UploadAsync(builder).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Fail(e);
            }
            finally
            {
                builder.Dispose();
                _uploadSlots.Release();
            }
        });
        lock (_uploads)
        {
            _uploads.RemoveAll(t => t.IsCompleted);
            _uploads.Add(task);
        }
    }

    private async Task UploadAsync(PackBuilder builder)
    {
        var finishing = _stages?.Start();
        string id = builder.Finish();
        if (finishing is { } started) _stages!.Stop(BackupStage.Encrypt, started);
        var storing = _stages?.Start();
        long length = builder.StoredLength;
        var entries = builder.Entries.ToList();
        // Data packs may go to a colder storage class; tree packs stay where listing and diffing read them.
        bool onlyTrees = entries.Count > 0 && entries.TrueForAll(e => e.Type == BlobType.Tree);
        if (onlyTrees)
        {
            await _repo.Storage.PutAsync(ObjectKeys.Pack(id), builder.OpenSealed(), _failed.Token).ConfigureAwait(false);
        }
        else
        {
            await _repo.Storage.PutDataPackAsync(ObjectKeys.Pack(id), builder.OpenSealed(), _failed.Token).ConfigureAwait(false);
        }
        var pack = new PackInfo(id, _repo.Runtime.Clock.GetUtcNow(), length, entries);
        if (onlyTrees && _repo.Key.CanRead)
        {
            _repo.Cache.WritePack(id, builder.OpenSealed()); // the next ls, diff or restore reads it from here
        }
        builder.Dispose();
        if (storing is { } storeStart) _stages!.Stop(BackupStage.Store, storeStart);
        await RecordAsync(pack).ConfigureAwait(false);
        Interlocked.Increment(ref _uploadedPacks);
        Interlocked.Add(ref _uploadedBytes, length);
    }

    private async Task RecordAsync(PackInfo pack)
    {
        // Log before indexing in memory: if we die now, the next run finds the pack in the log and reuses it.
        _repo.Cache.AppendPack(pack);
        List<PackInfo>? toIndex = null;
        _repo.NoteReferencedPack(pack); // the commit check must know every pack the snapshot will reference
        lock (_pending)
        {
            _repo.Index.Add(pack);
            foreach (var e in pack.Entries)
            {
                _pending.Remove(e.Id);
            }
            _unindexed.Add(pack);
            _unindexedBlobs += pack.Entries.Count;
            if (_unindexed.Count >= PacksPerIndex || _unindexedBlobs >= BlobsPerIndex)
            {
                toIndex = _unindexed.ToList();
                _unindexed.Clear();
                _unindexedBlobs = 0;
            }
        }
        if (toIndex is not null)
        {
            await WriteIndexAsync(toIndex, _failed.Token).ConfigureAwait(false);
        }
    }

    private async Task WriteIndexAsync(List<PackInfo> packs, CancellationToken cancellationToken)
    {
        if (packs.Count == 0)
        {
            return;
        }
        string id = await _repo.SaveIndexAsync(packs, cancellationToken).ConfigureAwait(false);
        _repo.Cache.AppendIndexed(id, packs.Select(p => p.Id));
        lock (_writtenIndexes)
        {
            _writtenIndexes.Add(id);
        }
    }

    /// <summary>Uploads the last partial pack and writes the index for every pack not yet indexed.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_dryRun)
        {
            return;
        }
        _queue.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_workers).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_failed.IsCancellationRequested)
        {
            // Workers stop by cancellation when an upload fails: report that failure instead.
            ThrowIfFailed();
            throw;
        }
        ThrowIfFailed();
        var last = new List<PackBuilder>();
        lock (_packLock)
        {
            for (int i = 0; i < _builders.Length; i++)
            {
                if (_builders[i] is { Count: > 0 } open) last.Add(open);
                else _builders[i]?.Dispose();
                _builders[i] = null;
            }
        }
        foreach (var builder in last)
        {
            await StartUploadAsync(builder).ConfigureAwait(false);
        }
        Task[] uploads;
        lock (_uploads)
        {
            uploads = _uploads.ToArray();
        }
        await Task.WhenAll(uploads).ConfigureAwait(false);
        ThrowIfFailed();
        List<PackInfo> rest;
        lock (_pending)
        {
            rest = _unindexed.ToList();
        }
        await WriteIndexAsync(rest, cancellationToken).ConfigureAwait(false);
        // Cleared only once written: a backup interrupted during this write indexes them in KeepUploadedAsync.
        lock (_pending)
        {
            _unindexed.Clear();
        }
    }

    /// <summary>
    /// After the backup was cancelled: drops the blobs not yet packed and the open packs, lets the
    /// uploads in flight finish (within <paramref name="grace"/>, else they are abandoned), and
    /// writes the index covering every pack stored, so the next backup (or one with --no-cache)
    /// finds that data in the repository instead of uploading it again.
    /// </summary>
    /// <returns>the packs and stored bytes this run uploaded, all of them indexed</returns>
    public async Task<(long Packs, long Bytes)> KeepUploadedAsync(TimeSpan grace)
    {
        _queue.Writer.TryComplete();
        _stopWorkers.Cancel();
        Task[] running;
        lock (_uploads)
        {
            running = [.. _workers, .. _uploads];
        }
        // A worker sealing a full pack starts its upload before it stops: wait for both kinds.
        var all = Task.WhenAll(running);
        if (await Task.WhenAny(all, Task.Delay(grace)).ConfigureAwait(false) != all)
        {
            _failed.Cancel();
        }
        try
        {
            await all.ConfigureAwait(false);
            lock (_uploads)
            {
                running = _uploads.ToArray();
            }
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Abandoned past the grace period: those packs are not indexed and not counted.
        }
        List<PackInfo> rest;
        lock (_pending)
        {
            rest = _unindexed.ToList();
            _unindexed.Clear();
        }
        using var timeout = new CancellationTokenSource(grace);
        await WriteIndexAsync(rest, timeout.Token).ConfigureAwait(false);
        return (Interlocked.Read(ref _uploadedPacks), Interlocked.Read(ref _uploadedBytes));
    }

    private void Fail(Exception e)
    {
        lock (_packLock)
        {
            _failure ??= e;
        }
        _failed.Cancel();
    }

    private void ThrowIfFailed()
    {
        Exception? failure;
        lock (_packLock)
        {
            failure = _failure;
        }
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        _failed.Cancel();
        try
        {
            await Task.WhenAll(_workers).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Disposal after a failure or cancellation: the original error was already reported.
        }
        Task[] uploads;
        lock (_uploads)
        {
            uploads = _uploads.ToArray();
        }
        // Uploads catch their own errors (Fail), so this only waits; it must finish before the semaphore goes.
        await Task.WhenAll(uploads).ConfigureAwait(false);
        while (_queue.Reader.TryRead(out var item))
        {
            _chunkBuffers.Return(item.Buffer);
        }
        lock (_packLock)
        {
            for (int i = 0; i < _builders.Length; i++)
            {
                _builders[i]?.Dispose();
                _builders[i] = null;
            }
        }
        _stopWorkers.Dispose();
        _failed.Dispose();
        _uploadSlots.Dispose();
    }

    private readonly record struct WorkItem(BlobId Id, BlobType Type, byte[] Buffer, int Length);
}
