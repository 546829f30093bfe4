using System.Buffers;
using System.Text.Json;
using Offsite.Core.Errors;

namespace Offsite.Sources.Http;

/// <summary>
/// The snapshot bytes of etcd's v3 HTTP gateway (<c>POST /v3/maintenance/snapshot</c>), decoded
/// while they arrive: the gateway streams JSON messages, one per gRPC message,
/// <c>{"result":{"blob":"&lt;base64&gt;", "remaining_bytes": …}}</c>, and an <c>{"error":{…}}</c>
/// message if the server fails mid-stream. At the end the SHA-256 trailer is checked
/// (<see cref="EtcdSnapshotHash"/>): a short, damaged or failed stream is an error, never a snapshot.
/// One message at a time is held (at most <see cref="MaxMessageBytes"/>).
/// </summary>
public sealed class EtcdSnapshotDecoder : Stream
{
    /// <summary>etcd sends 32 KiB per message (about 44 KiB of JSON); a far larger message is not etcd's.</summary>
    public const int MaxMessageBytes = 16 * 1024 * 1024;

    private readonly Stream _json;
    private readonly string _what;
    private readonly EtcdSnapshotHash _hash = new();
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
    private int _start, _end;
    private bool _jsonEnded;
    private byte[] _chunk = [];
    private int _chunkPosition;
    private long _messages;
    private bool _verified;

    /// <param name="what">names the source in errors ("etcd source etcd:127.0.0.1:2379")</param>
    public EtcdSnapshotDecoder(Stream json, string what)
    {
        _json = json;
        _what = what;
    }

    /// <summary>Snapshot bytes decoded so far.</summary>
    public long BytesDecoded => _hash.Total;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _hash.Total; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (destination.Length == 0) return 0;
        while (_chunkPosition == _chunk.Length)
        {
            if (!await NextMessageAsync(cancellationToken).ConfigureAwait(false))
            {
                Verify();
                return 0;
            }
        }
        int n = Math.Min(destination.Length, _chunk.Length - _chunkPosition);
        _chunk.AsMemory(_chunkPosition, n).CopyTo(destination);
        _chunkPosition += n;
        return n;
    }

    private void Verify()
    {
        if (_verified) return;
        if (_hash.Problem() is { } problem)
        {
            throw Fail(_messages == 0 ? "etcd sent no snapshot data" : problem);
        }
        _verified = true;
    }

    /// <summary>Reads the next message; false at the end of the stream.</summary>
    private async Task<bool> NextMessageAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            SkipWhitespace();
            if (_start < _end && TryParse(out byte[]? blob))
            {
                _chunk = blob!;
                _chunkPosition = 0;
                _hash.Append(_chunk);
                return true;
            }
            if (_jsonEnded)
            {
                if (_start < _end)
                {
                    throw Fail($"the stream ended inside a message ({_end - _start} bytes of incomplete JSON after {_messages} message(s))");
                }
                return false;
            }
            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void SkipWhitespace()
    {
        while (_start < _end && _buffer[_start] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            _start++;
        }
    }

    /// <summary>Parses one whole message at <c>_start</c>, or returns false when more bytes are needed.</summary>
    private bool TryParse(out byte[]? blob)
    {
        // Never the final block: an incomplete message at the end of the stream then reads as
        // "needs more" and is reported as truncated, not as malformed JSON.
        var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), isFinalBlock: false, state: default);
        JsonDocument? document;
        try
        {
            if (!JsonDocument.TryParseValue(ref reader, out document))
            {
                blob = null;
                return false;
            }
        }
        catch (JsonException e)
        {
            throw Fail($"message {_messages + 1} is not JSON ({e.Message})");
        }
        using (document)
        {
            _start += (int)reader.BytesConsumed;
            _messages++;
            blob = BlobOf(document!.RootElement);
            return true;
        }
    }

    private byte[] BlobOf(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            throw Fail($"message {_messages} is a JSON {message.ValueKind.ToString().ToLowerInvariant()}, not an object");
        }
        if (message.TryGetProperty("error", out var error))
        {
            string reason = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var m) ? m.ToString() : error.ToString();
            throw Fail($"etcd failed mid-stream: {HttpFailures.ReasonOf(reason)}");
        }
        if (!message.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object)
        {
            throw Fail($"message {_messages} has neither \"result\" nor \"error\"");
        }
        if (!result.TryGetProperty("blob", out var blob))
        {
            return []; // the gateway leaves out empty fields: a message without data
        }
        if (blob.ValueKind != JsonValueKind.String || !blob.TryGetBytesFromBase64(out byte[]? bytes))
        {
            throw Fail($"message {_messages}: \"blob\" is not base64 text");
        }
        return bytes;
    }

    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxMessageBytes)
            {
                throw Fail($"a message is larger than {MaxMessageBytes / (1024 * 1024)} MiB: this is not an etcd snapshot stream");
            }
            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, MaxMessageBytes));
            Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        int n = await _json.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            _jsonEnded = true;
        }
        _end += n;
    }

    private OffsiteException Fail(string problem) => new(ErrorKind.SourceFailed, $"{_what}: {problem}; no snapshot was written");

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _json.Dispose();
            _hash.Dispose();
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
        base.Dispose(disposing);
    }
}
