using System.Security.Cryptography;
using System.Text;
using Offsite.Core.Errors;
using Offsite.Sources.Http;

namespace Offsite.Sources.Tests.Http;

/// <summary>The etcd gateway's JSON stream decoder: what etcd sends, delivered in any pieces, and what it must refuse.</summary>
public sealed class EtcdSnapshotDecoderTests
{
    private const string What = "etcd source etcd:test:2379";

    /// <summary>A database of whole 512-byte pages followed by its SHA-256, as etcd's maintenance API sends it.</summary>
    private static byte[] HashedSnapshot(int pages, int seed)
    {
        var db = new byte[pages * 512];
        new Random(seed).NextBytes(db);
        return [.. db, .. SHA256.HashData(db)];
    }

    /// <summary>The gateway's framing: one {"result":{…}} per chunk (etcd sends the hash as the last chunk).</summary>
    private static string Frame(byte[] snapshot, int chunk, string separator = "\n")
    {
        var messages = new List<string>();
        int dbLength = snapshot.Length - 32;
        for (int at = 0; at < dbLength; at += chunk)
        {
            int n = Math.Min(chunk, dbLength - at);
            messages.Add($"{{\"result\":{{\"header\":{{\"cluster_id\":\"1\",\"revision\":\"7\"}},\"remaining_bytes\":\"{dbLength - at - n}\",\"blob\":\"{Convert.ToBase64String(snapshot, at, n)}\"}}}}");
        }
        messages.Add($"{{\"result\":{{\"blob\":\"{Convert.ToBase64String(snapshot, dbLength, 32)}\"}}}}");
        return string.Join(separator, messages) + separator;
    }

    private static async Task<byte[]> DecodeAsync(byte[] json, int deliverBytes = int.MaxValue)
    {
        await using var decoder = new EtcdSnapshotDecoder(new TrickleStream(json, deliverBytes), What);
        using var output = new MemoryStream();
        await decoder.CopyToAsync(output);
        return output.ToArray();
    }

    [Theory]
    [InlineData(32 * 1024, "\n", int.MaxValue)]
    [InlineData(32 * 1024, "\r\n", 1)]
    [InlineData(1000, "", 7)]
    [InlineData(512, " \n\t", 4096)]
    public async Task Decodes_the_snapshot_whatever_the_framing_and_delivery(int chunk, string separator, int deliver)
    {
        var snapshot = HashedSnapshot(pages: chunk == 32 * 1024 ? 300 : 40, seed: chunk);
        byte[] json = Encoding.UTF8.GetBytes(Frame(snapshot, chunk, separator));
        Assert.Equal(snapshot, await DecodeAsync(json, deliver));
    }

    [Fact]
    public async Task A_message_without_blob_is_an_empty_chunk()
    {
        var snapshot = HashedSnapshot(2, 1);
        string json = "{\"result\":{\"header\":{}}}\n" + Frame(snapshot, 512);
        Assert.Equal(snapshot, await DecodeAsync(Encoding.UTF8.GetBytes(json)));
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "", "etcd sent no snapshot data" },
        { "   \n", "etcd sent no snapshot data" },
        { "not json", "is not JSON" },
        { "[1,2]", "is a JSON array, not an object" },
        { "{\"header\":{}}", "has neither \"result\" nor \"error\"" },
        { "{\"result\":\"x\"}", "has neither \"result\" nor \"error\"" },
        { "{\"result\":{\"blob\":\"@@not base64@@\"}}", "\"blob\" is not base64 text" },
        { "{\"result\":{\"blob\":12}}", "\"blob\" is not base64 text" },
        { "{\"error\":{\"grpc_code\":14,\"http_code\":503,\"message\":\"etcdserver: leader changed\",\"http_status\":\"Service Unavailable\"}}", "etcd failed mid-stream: etcdserver: leader changed" },
        { "{\"result\":{\"blob\":\"AAAA\"}", "the stream ended inside a message" },
        { "{\"result\":{\"blob\":\"AAAA\"}}", "not a database plus its SHA-256 trailer" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task Malformed_streams_fail_the_source_with_the_reason(string json, string reason)
    {
        var e = await Assert.ThrowsAsync<OffsiteException>(() => DecodeAsync(Encoding.UTF8.GetBytes(json), 3));
        Assert.Equal(ErrorKind.SourceFailed, e.Kind);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.StartsWith(What + ": ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("no snapshot was written", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_that_lost_its_last_chunks_fails_the_trailer_check()
    {
        var snapshot = HashedSnapshot(100, 2);
        string[] lines = Frame(snapshot, 4096).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string cut = string.Join('\n', lines.Take(lines.Length - 2)); // the last data chunk and the hash are gone
        var e = await Assert.ThrowsAsync<OffsiteException>(() => DecodeAsync(Encoding.UTF8.GetBytes(cut)));
        Assert.Contains("not a database plus its SHA-256 trailer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_byte_fails_the_trailer_check()
    {
        var snapshot = HashedSnapshot(20, 3);
        snapshot[5000] ^= 0x40;
        var e = await Assert.ThrowsAsync<OffsiteException>(() => DecodeAsync(Encoding.UTF8.GetBytes(Frame(snapshot, 2048))));
        Assert.Contains("SHA-256 trailer does not match", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_larger_than_the_limit_is_refused_without_growing_further()
    {
        // An endless string: the decoder must stop at its limit instead of buffering the whole body.
        var huge = new EndlessStream(Encoding.UTF8.GetBytes("{\"result\":{\"blob\":\""), (byte)'A');
        await using var decoder = new EtcdSnapshotDecoder(huge, What);
        var e = await Assert.ThrowsAsync<OffsiteException>(() => decoder.CopyToAsync(Stream.Null));
        Assert.Contains("larger than 16 MiB", e.Message, StringComparison.Ordinal);
        Assert.InRange(huge.Served, EtcdSnapshotDecoder.MaxMessageBytes, EtcdSnapshotDecoder.MaxMessageBytes + (1 << 20));
    }

    [Fact]
    public void The_trailer_check_matches_etcds_rule_for_any_split()
    {
        var snapshot = HashedSnapshot(3, 4);
        foreach (int piece in new[] { 1, 5, 31, 32, 33, 511, 512, 10_000 })
        {
            using var hash = new EtcdSnapshotHash();
            for (int at = 0; at < snapshot.Length; at += piece)
            {
                hash.Append(snapshot.AsSpan(at, Math.Min(piece, snapshot.Length - at)));
            }
            Assert.Null(hash.Problem());
            Assert.Equal(snapshot.Length, hash.Total);
        }
    }

    /// <summary>Hands out at most <c>max</c> bytes per read, as a slow network does.</summary>
    private sealed class TrickleStream(byte[] data, int max) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, max));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, max)], cancellationToken);
    }

    /// <summary>A prefix, then the same byte forever; counts what it served.</summary>
    private sealed class EndlessStream(byte[] prefix, byte fill) : Stream
    {
        public long Served { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => Served; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            for (int i = 0; i < count; i++)
            {
                buffer[offset + i] = Served + i < prefix.Length ? prefix[Served + i] : fill;
            }
            Served += count;
            return count;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
