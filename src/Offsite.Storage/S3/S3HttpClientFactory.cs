using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;

namespace Offsite.Storage.S3;

/// <summary>
/// The HTTP client under the S3 SDK, with the timeouts a backup needs on a bad network: a connect timeout, and an
/// I/O timeout that fails any single socket read or write that makes no progress for <see cref="S3Options.IoTimeout"/>
/// (a blackholed connection, a server that stopped answering). Both surface as <see cref="IOException"/>s, which the
/// SDK retries like a connection reset; a slow but moving transfer is never cut off by them. The whole-request limit
/// stays <see cref="S3Options.RequestTimeout"/>.
/// </summary>
internal sealed class S3HttpClientFactory(S3Options options) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        ArgumentNullException.ThrowIfNull(clientConfig);
        TimeSpan io = options.IoTimeout;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
                    return new IoTimeoutStream(new NetworkStream(socket, ownsSocket: true), io);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(new TlsFailureHandler(new LeadingSlashKeyHandler(handler)), disposeHandler: true) { Timeout = clientConfig.Timeout ?? options.RequestTimeout };
    }

    // One HttpClient per SDK client, disposed with it.
    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => true;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;

    public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;
}

/// <summary>A stream whose every read and write must complete within a timeout, or fails with an <see cref="IOException"/>.</summary>
internal sealed class IoTimeoutStream(Stream inner, TimeSpan timeout) : Stream
{
    public override bool CanRead => inner.CanRead;
    public override bool CanWrite => inner.CanWrite;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            // Zero-byte reads wait for data on idle pooled connections (liveness): they may wait forever.
            return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            return await inner.ReadAsync(buffer, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"no data received from the S3 server for {timeout.TotalSeconds:0.#} s (I/O timeout)", new TimeoutException(e.Message, e));
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await inner.WriteAsync(buffer, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"the S3 server accepted no data for {timeout.TotalSeconds:0.#} s (I/O timeout)", new TimeoutException(e.Message, e));
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
