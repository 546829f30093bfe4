using System.Collections.Concurrent;

namespace Offsite.Server.Scheduling;

/// <summary>Runs by id: all running ones plus the newest finished ones (bounded).</summary>
public sealed class RunHistory
{
    private readonly int _capacity;
    private readonly ConcurrentDictionary<string, RunRecord> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();

    public RunHistory(int capacity) => _capacity = Math.Max(1, capacity);

    public void Add(RunRecord run)
    {
        _byId[run.Id] = run;
        _order.Enqueue(run.Id);
        // Trim the oldest finished runs; a running one at the head is kept (re-queued) until it ends.
        int guard = _order.Count;
        while (_byId.Count > _capacity && guard-- > 0 && _order.TryDequeue(out string? oldest))
        {
            if (_byId.TryGetValue(oldest, out RunRecord? r) && r.Status == RunStatus.Running)
            {
                _order.Enqueue(oldest);
                continue;
            }
            _byId.TryRemove(oldest, out _);
        }
    }

    public RunRecord? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>Newest first, optionally of one job.</summary>
    public IReadOnlyList<RunRecord> Recent(string? job, int limit) =>
        _byId.Values.Where(r => job is null || r.Job == job).OrderByDescending(r => r.Started).ThenByDescending(r => r.Id, StringComparer.Ordinal).Take(limit).ToList();
}
