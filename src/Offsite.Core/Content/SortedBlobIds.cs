using System.Collections;

namespace Offsite.Core.Content;

/// <summary>
/// A set of blob ids as one sorted array: 32 bytes an id, where a <see cref="HashSet{T}"/> of them costs
/// 48 and an object header per resize. Membership and position by binary search. Restores hand a pack's
/// wanted blobs (tens of thousands in a pack of small files) to <see cref="BlobLoader.ReadPackAsync"/> this way.
/// </summary>
public sealed class SortedBlobIds : IReadOnlyList<BlobId>
{
    private readonly BlobId[] _ids;

    private SortedBlobIds(BlobId[] ids) => _ids = ids;

    /// <summary>The distinct ids of <paramref name="ids"/>, sorted.</summary>
    public static SortedBlobIds From(IEnumerable<BlobId> ids)
    {
        BlobId[] all = [.. ids];
        Array.Sort(all);
        int distinct = 0;
        for (int i = 0; i < all.Length; i++)
        {
            if (distinct == 0 || !all[distinct - 1].Equals(all[i]))
            {
                all[distinct++] = all[i];
            }
        }
        return new SortedBlobIds(distinct == all.Length ? all : all[..distinct]);
    }

    /// <summary>Ids already sorted and distinct (checked): taken as they are, not copied.</summary>
    public static SortedBlobIds FromSorted(BlobId[] ids)
    {
        for (int i = 1; i < ids.Length; i++)
        {
            if (ids[i - 1].CompareTo(ids[i]) >= 0)
            {
                throw new ArgumentException("blob ids are not sorted and distinct", nameof(ids));
            }
        }
        return new SortedBlobIds(ids);
    }

    public int Count => _ids.Length;

    public BlobId this[int index] => _ids[index];

    /// <summary>The id's position, or a negative number when it is not in the set.</summary>
    public int IndexOf(BlobId id) => Array.BinarySearch(_ids, id);

    public bool Contains(BlobId id) => IndexOf(id) >= 0;

    public IEnumerator<BlobId> GetEnumerator() => ((IEnumerable<BlobId>)_ids).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
