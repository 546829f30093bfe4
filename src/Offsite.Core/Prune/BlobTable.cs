using System.Buffers.Binary;
using Offsite.Core.Content;

namespace Offsite.Core.Prune;

/// <summary>
/// Every indexed blob copy as a fixed-size record — the first 128 bits of its id, its pack number and stored length —
/// in sorted segments of a million records (24 MiB each), with a "used" bit. No object per blob: ten million blobs take
/// 240 MiB whatever the repository's size, and segments are never merged (a lookup searches each), so building the
/// table never holds two copies. A 128-bit prefix confuses two different blobs with probability below 10^-24 for 10^7
/// blobs; marking by prefix can only keep more, and the one decision that could lose data (another copy exists, so
/// this pack may go) compares the same prefixes (docs/format.md).
/// </summary>
public sealed class BlobTable
{
    private const int SegmentSize = 1 << 20;
    private const int UsedBit = int.MinValue;
    private readonly List<Record[]> _segments = new();
    private readonly List<int> _counts = new();
    private bool _sealed;

    public long Count { get; private set; }

    public void Add(BlobId id, int pack, int length)
    {
        if (_sealed)
        {
            throw new InvalidOperationException("the table is sealed");
        }
        if (_segments.Count == 0 || _counts[^1] == SegmentSize)
        {
            _segments.Add(new Record[SegmentSize]);
            _counts.Add(0);
        }
        var (hi, lo) = Key(id);
        _segments[^1][_counts[^1]++] = new Record(hi, lo, pack, length & int.MaxValue);
        Count++;
    }

    /// <summary>Sorts each segment; the table is read-only afterwards (except for the used bits).</summary>
    public void Seal()
    {
        for (int i = 0; i < _segments.Count; i++)
        {
            Array.Sort(_segments[i], 0, _counts[i]);
        }
        _sealed = true;
    }

    /// <summary>Marks every copy of the blob used; false when no index has it.</summary>
    public bool MarkUsed(BlobId id)
    {
        var (hi, lo) = Key(id);
        bool found = false;
        for (int s = 0; s < _segments.Count; s++)
        {
            var seg = _segments[s];
            for (int i = LowerBound(seg, _counts[s], hi, lo); i < _counts[s] && seg[i].Hi == hi && seg[i].Lo == lo; i++)
            {
                seg[i].Length |= UsedBit;
                found = true;
            }
        }
        return found;
    }

    public bool IsUsed(BlobId id)
    {
        var (hi, lo) = Key(id);
        for (int s = 0; s < _segments.Count; s++)
        {
            var seg = _segments[s];
            for (int i = LowerBound(seg, _counts[s], hi, lo); i < _counts[s] && seg[i].Hi == hi && seg[i].Lo == lo; i++)
            {
                if (seg[i].Length < 0)
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>Calls <paramref name="visit"/> for every record: (pack, stored length, used).</summary>
    public void ForEach(Action<int, int, bool> visit)
    {
        ArgumentNullException.ThrowIfNull(visit);
        for (int s = 0; s < _segments.Count; s++)
        {
            var seg = _segments[s];
            for (int i = 0; i < _counts[s]; i++)
            {
                visit(seg[i].Pack, seg[i].Length & int.MaxValue, seg[i].Length < 0);
            }
        }
    }

    /// <summary>
    /// True when every used blob stored in a pack of <paramref name="leaving"/> also has a copy in a pack for which
    /// <paramref name="staying"/> is true: then deleting those packs loses nothing a snapshot needs.
    /// Returns the packs of <paramref name="leaving"/> that hold a used blob with no such copy.
    /// </summary>
    public HashSet<int> PacksWithOnlyCopies(IReadOnlySet<int> leaving, Func<int, bool> staying)
    {
        ArgumentNullException.ThrowIfNull(leaving);
        ArgumentNullException.ThrowIfNull(staying);
        var needed = new HashSet<int>();
        for (int s = 0; s < _segments.Count; s++)
        {
            var seg = _segments[s];
            for (int i = 0; i < _counts[s]; i++)
            {
                if (seg[i].Length >= 0 || !leaving.Contains(seg[i].Pack) || needed.Contains(seg[i].Pack))
                {
                    continue;
                }
                if (!HasCopyIn(seg[i].Hi, seg[i].Lo, staying))
                {
                    needed.Add(seg[i].Pack);
                }
            }
        }
        return needed;
    }

    private bool HasCopyIn(ulong hi, ulong lo, Func<int, bool> staying)
    {
        for (int s = 0; s < _segments.Count; s++)
        {
            var seg = _segments[s];
            for (int i = LowerBound(seg, _counts[s], hi, lo); i < _counts[s] && seg[i].Hi == hi && seg[i].Lo == lo; i++)
            {
                if (staying(seg[i].Pack))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static (ulong Hi, ulong Lo) Key(BlobId id)
    {
        Span<byte> bytes = stackalloc byte[BlobId.Size];
        id.WriteTo(bytes);
        return (BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

    private static int LowerBound(Record[] seg, int count, ulong hi, ulong lo)
    {
        int a = 0, b = count;
        while (a < b)
        {
            int m = (a + b) >>> 1;
            var r = seg[m];
            if (r.Hi < hi || (r.Hi == hi && r.Lo < lo))
            {
                a = m + 1;
            }
            else
            {
                b = m;
            }
        }
        return a;
    }

    private record struct Record(ulong Hi, ulong Lo, int Pack, int Length) : IComparable<Record>
    {
        public readonly int CompareTo(Record other)
        {
            int c = Hi.CompareTo(other.Hi);
            return c != 0 ? c : Lo.CompareTo(other.Lo);
        }
    }
}
