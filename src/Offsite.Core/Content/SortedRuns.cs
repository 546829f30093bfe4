using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Offsite.Core.Content;

/// <summary>A sorted run read in order: one input of <see cref="SortedRuns.Merge"/>.</summary>
internal interface ISortedRun<T>
{
    bool MoveNext();
    T Current { get; }
}

/// <summary>Helpers for the sorted scratch files of the index and prune (runs written out, then merged).</summary>
internal static class SortedRuns
{
    /// <summary>Merges sorted runs into one ascending sequence (a priority queue of their heads).</summary>
    public static IEnumerable<T> Merge<T>(IReadOnlyList<ISortedRun<T>> runs)
    {
        var queue = new PriorityQueue<ISortedRun<T>, T>(runs.Count);
        foreach (var run in runs)
        {
            if (run.MoveNext())
            {
                queue.Enqueue(run, run.Current);
            }
        }
        while (queue.TryPeek(out var run, out var head))
        {
            yield return head;
            if (run.MoveNext())
            {
                queue.DequeueEnqueue(run, run.Current);
            }
            else
            {
                queue.Dequeue();
            }
        }
    }

    /// <summary>Reads until <paramref name="destination"/> is full; false when the file ends first (it was truncated).</summary>
    public static bool TryReadExactly(SafeFileHandle file, Span<byte> destination, long offset)
    {
        int done = 0;
        while (done < destination.Length)
        {
            int n = RandomAccess.Read(file, destination[done..], offset + done);
            if (n == 0)
            {
                return false;
            }
            done += n;
        }
        return true;
    }

    /// <summary>Reads consecutive fixed-size records of a scratch file from record position <paramref name="first"/>.</summary>
    /// <param name="what">the file, for the message when it turns out shorter (truncated while in use)</param>
    public static void ReadRecords<T>(SafeFileHandle file, long first, Span<T> destination, string what) where T : unmanaged
    {
        int size = Marshal.SizeOf<T>();
        if (!TryReadExactly(file, MemoryMarshal.AsBytes(destination), first * size))
        {
            throw new IOException($"{what} ended before record {first + destination.Length}: it was truncated while in use");
        }
    }
}
