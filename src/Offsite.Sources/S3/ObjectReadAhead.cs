namespace Offsite.Sources.S3;

/// <summary>
/// Reads the small objects of one directory level ahead of the archiver, a few at a time, in the
/// order it will open them (each GET costs a round trip; one after the other they would dominate
/// a backup of many small objects). Only objects the archiver will read are given to it. At most
/// <c>window</c> objects are in flight or waiting, so memory is window × the small-object limit.
/// An object the archiver skips after all (its blobs turned up meanwhile) is dropped when a later
/// one is taken, and everything is dropped when the level ends.
/// </summary>
internal sealed class ObjectReadAhead : IDisposable
{
    private readonly List<ListedObject> _order;
    private readonly Dictionary<ListedObject, int> _index;
    private readonly Task<byte[]>?[] _tasks;
    private readonly Func<ListedObject, CancellationToken, Task<byte[]>> _fetch;
    private readonly int _window;
    private readonly CancellationTokenSource _stop;
    private readonly Lock _lock = new();
    private int _next;
    private int _taken;

    public ObjectReadAhead(List<ListedObject> order, int window, Func<ListedObject, CancellationToken, Task<byte[]>> fetch, CancellationToken cancellationToken)
    {
        _order = order;
        _index = new Dictionary<ListedObject, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < order.Count; i++) _index[order[i]] = i;
        _tasks = new Task<byte[]>?[order.Count];
        _fetch = fetch;
        _window = window;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Fill();
    }

    /// <summary>The object's bytes when it is read ahead here, else null (the caller GETs it itself).</summary>
    public Task<byte[]>? Take(ListedObject o)
    {
        lock (_lock)
        {
            if (!_index.TryGetValue(o, out int i) || i < _taken) return null;
            for (int skipped = _taken; skipped < i; skipped++) Drop(skipped);
            _taken = i + 1;
            var task = _tasks[i];
            _tasks[i] = null;
            Fill();
            return task;
        }
    }

    private void Fill()
    {
        lock (_lock)
        {
            while (_next < _order.Count && _next - _taken < _window)
            {
                var o = _order[_next];
                _tasks[_next++] = Task.Run(() => _fetch(o, _stop.Token));
            }
        }
    }

    private void Drop(int i)
    {
        if (_tasks[i] is { } task)
        {
            _ = task.ContinueWith(t => t.Exception, TaskScheduler.Default); // its failure, if any, no longer matters
            _tasks[i] = null;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _stop.Cancel();
            for (int i = _taken; i < _next; i++) Drop(i);
            _taken = _next = _order.Count;
        }
        _stop.Dispose();
    }
}
