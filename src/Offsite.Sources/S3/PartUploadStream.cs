using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;

namespace Offsite.Sources.S3;

/// <summary>
/// A write-only stream that uploads what it is given as the parts of one multipart upload, one
/// part of <c>partSize</c> bytes at a time (the buffer is the only copy held).
/// </summary>
internal sealed class PartUploadStream(IAmazonS3 client, string bucket, string key, string uploadId, int partSize) : Stream
{
    private readonly byte[] _buffer = new byte[partSize];
    private int _filled;

    public List<PartETag> Parts { get; } = [];

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        while (!data.IsEmpty)
        {
            int n = Math.Min(data.Length, _buffer.Length - _filled);
            data[..n].CopyTo(_buffer.AsMemory(_filled));
            _filled += n;
            data = data[n..];
            if (_filled == _buffer.Length)
            {
                await UploadPartAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    /// <summary>Uploads the last, shorter part.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        if (_filled > 0 || Parts.Count == 0)
        {
            await UploadPartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task UploadPartAsync(CancellationToken cancellationToken)
    {
        int number = Parts.Count + 1;
        using var body = new MemoryStream(_buffer, 0, _filled, writable: false);
        var response = await client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = bucket,
            Key = key,
            UploadId = uploadId,
            PartNumber = number,
            InputStream = body,
            PartSize = _filled,
            MD5Digest = Convert.ToBase64String(MD5.HashData(_buffer.AsSpan(0, _filled))),
            UseChunkEncoding = false,
        }, cancellationToken).ConfigureAwait(false);
        Parts.Add(new PartETag(number, response.ETag));
        _filled = 0;
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
