using System.Security.Cryptography;

namespace Offsite.Sources.Http;

/// <summary>
/// Checks the integrity trailer of an etcd v3 snapshot while it streams past: the maintenance API
/// appends the SHA-256 of the database file (32 bytes) to it, and <c>etcdctl snapshot restore</c>
/// accepts a file as hashed when its size is 32 bytes past a multiple of 512 (bbolt's page size is
/// a multiple of 512). Holds back only the last 32 bytes seen, so nothing is buffered.
/// </summary>
public sealed class EtcdSnapshotHash : IDisposable
{
    public const int TrailerSize = 32;

    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _tail = new byte[TrailerSize];
    private int _tailLength;

    public long Total { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        Total += data.Length;
        if (_tailLength + data.Length <= TrailerSize)
        {
            data.CopyTo(_tail.AsSpan(_tailLength));
            _tailLength += data.Length;
            return;
        }
        // Everything but the newest 32 bytes of (tail + data) is database content: hash it.
        int hashLength = _tailLength + data.Length - TrailerSize;
        int fromTail = Math.Min(_tailLength, hashLength);
        _sha.AppendData(_tail.AsSpan(0, fromTail));
        int fromData = hashLength - fromTail;
        _sha.AppendData(data[..fromData]);
        // The new tail: what is left of the old tail, then the rest of data.
        Span<byte> newTail = stackalloc byte[TrailerSize];
        int keptFromTail = _tailLength - fromTail;
        _tail.AsSpan(fromTail, keptFromTail).CopyTo(newTail);
        data[fromData..].CopyTo(newTail[keptFromTail..]);
        newTail.CopyTo(_tail);
        _tailLength = TrailerSize;
    }

    /// <summary>Null when the data seen is a whole hashed snapshot, else why not.</summary>
    public string? Problem()
    {
        if (Total == 0)
        {
            return "the snapshot is empty";
        }
        if (Total % 512 != TrailerSize)
        {
            return $"the snapshot is {Total} bytes, not a database plus its SHA-256 trailer (truncated?)";
        }
        Span<byte> digest = stackalloc byte[TrailerSize];
        using var copy = _sha.Clone();
        copy.GetCurrentHash(digest);
        return CryptographicOperations.FixedTimeEquals(digest, _tail) ? null : "the snapshot's SHA-256 trailer does not match its data (damaged)";
    }

    public void Dispose() => _sha.Dispose();
}
