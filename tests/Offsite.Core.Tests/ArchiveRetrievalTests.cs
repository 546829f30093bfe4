using Microsoft.Extensions.Time.Testing;
using Offsite.Core.Restore;
using Offsite.Core.Storage;

namespace Offsite.Core.Tests;

/// <summary>
/// Retrieving archived packs before a restore: requests only for archived packs, the tier and days passed
/// through, waiting with doubling intervals up to the maximum (on a fake clock: no sleeps), and a timeout.
/// </summary>
public sealed class ArchiveRetrievalTests
{
    /// <summary>Objects in an archive class; a requested retrieval finishes after <c>roundsToFinish</c> status reads.</summary>
    private sealed class FakeArchive(int roundsToFinish) : IArchiveStorage
    {
        public readonly Dictionary<string, (ArchiveState State, int Reads)> Objects = new();
        public readonly List<(string Key, int Days, RetrievalTier Tier)> Requests = new();
        public int StatusReads;

        public Task<ArchiveInfo> GetArchiveStatusAsync(string key, CancellationToken cancellationToken)
        {
            lock (Objects)
            {
                StatusReads++;
                var (state, reads) = Objects[key];
                if (state == ArchiveState.Retrieving && ++reads >= roundsToFinish)
                {
                    state = ArchiveState.Retrieved;
                }
                Objects[key] = (state, reads);
                return Task.FromResult(new ArchiveInfo(state, state == ArchiveState.Readable ? "STANDARD" : "GLACIER"));
            }
        }

        public Task<ArchiveState> RequestRetrievalAsync(string key, int days, RetrievalTier tier, CancellationToken cancellationToken)
        {
            lock (Objects)
            {
                Requests.Add((key, days, tier));
                Objects[key] = (ArchiveState.Retrieving, 0);
                return Task.FromResult(ArchiveState.Retrieving);
            }
        }
    }

    private static string Id(char c) => new(c, 64);

    [Fact]
    public async Task Only_archived_packs_are_requested_and_waiting_backs_off_until_they_are_readable()
    {
        var archive = new FakeArchive(roundsToFinish: 3);
        archive.Objects[$"packs/aa/{Id('a')}"] = (ArchiveState.Readable, 0);
        archive.Objects[$"packs/bb/{Id('b')}"] = (ArchiveState.Archived, 0);
        archive.Objects[$"packs/cc/{Id('c')}"] = (ArchiveState.Archived, 0);
        var time = new FakeTimeProvider();
        var retrieval = new ArchiveRetrieval(archive, time);

        var report = await retrieval.PrepareAsync([Id('a'), Id('b'), Id('c'), Id('b')], new RetrievalRequest(RetrievalTier.Bulk, 2), default);
        Assert.Equal(1, report.Ready);
        Assert.Equal(2, report.Requested);
        Assert.Equal([Id('b'), Id('c')], report.Pending.Keys);
        Assert.All(archive.Requests, r => Assert.Equal((2, RetrievalTier.Bulk), (r.Days, r.Tier)));

        var rounds = new List<int>();
        using var heard = new SemaphoreSlim(0);
        var polling = new RetrievalPolling(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(3), TimeSpan.FromHours(1));
        var waiting = retrieval.WaitAsync(report, polling, p => { lock (rounds) rounds.Add(p.Pending.Count); heard.Release(); }, default);
        // Rounds happen after 1, then 2, then 3 (the maximum) more minutes; nothing happens in between.
        foreach (int minutes in new[] { 1, 2, 3 })
        {
            int before = archive.StatusReads;
            time.Advance(TimeSpan.FromMinutes(minutes) - TimeSpan.FromSeconds(1));
            await Task.Delay(50);
            Assert.Equal(before, archive.StatusReads);
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.True(await heard.WaitAsync(TimeSpan.FromSeconds(10)), "the waiter did not poll when its interval elapsed");
            Assert.Equal(before + 2, archive.StatusReads);
        }
        var done = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(done.AllReady);
        Assert.Equal(3, done.Ready);
        Assert.Equal([2, 2, 0], rounds);
        Assert.Equal(2, archive.Requests.Count); // waiting never requests again
    }

    [Fact]
    public async Task Waiting_stops_at_the_timeout_with_the_packs_still_pending()
    {
        var archive = new FakeArchive(roundsToFinish: int.MaxValue);
        archive.Objects[$"packs/bb/{Id('b')}"] = (ArchiveState.Archived, 0);
        var time = new FakeTimeProvider();
        var retrieval = new ArchiveRetrieval(archive, time);
        var report = await retrieval.PrepareAsync([Id('b')], new RetrievalRequest(RetrievalTier.Standard, 1), default);
        using var heard = new SemaphoreSlim(0);
        var waiting = retrieval.WaitAsync(report, new RetrievalPolling(TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(30)), _ => heard.Release(), default);
        for (int i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromMinutes(10));
            Assert.True(await heard.WaitAsync(TimeSpan.FromSeconds(10)), $"round {i} did not happen");
        }
        var final = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(final.AllReady);
        Assert.Equal([Id('b')], final.Pending.Keys);
        Assert.Equal("3–5 hours", ArchiveRetrieval.TypicalDuration(RetrievalTier.Standard, ["GLACIER"]));
        Assert.Equal("within 48 hours", ArchiveRetrieval.TypicalDuration(RetrievalTier.Bulk, ["DEEP_ARCHIVE"]));
    }
}
