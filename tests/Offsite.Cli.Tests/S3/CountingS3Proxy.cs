using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Offsite.Cli.Tests.S3;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of the RGW peer that counts the HTTP requests going through it
/// by method and kind, so a test can prove what a backup downloaded without timing it. Bytes are
/// forwarded unchanged (the SigV4 signature covers the Host header, which names the proxy on both
/// sides). The requests it sees (GET, HEAD) have no bodies, so each header block is one request.
/// </summary>
internal sealed class CountingS3Proxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly List<string> _requestLines = [];

    public CountingS3Proxy(Uri upstream)
    {
        _upstream = new IPEndPoint(IPAddress.Parse(upstream.Host), upstream.Port);
        _listener.Start(256);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Request lines seen so far ("GET /bucket/key HTTP/1.1").</summary>
    public List<string> RequestLines
    {
        get { lock (_requestLines) return [.. _requestLines]; }
    }

    public void Reset()
    {
        lock (_requestLines) _requestLines.Clear();
    }

    /// <summary>GETs of object data (whole or ranged), not listings: a path below the bucket and no list query.</summary>
    public int ObjectGets(string bucket) => RequestLines.Count(l => l.StartsWith($"GET /{bucket}/", StringComparison.Ordinal) && IsObject(l));

    public int Heads(string bucket) => RequestLines.Count(l => l.StartsWith($"HEAD /{bucket}/", StringComparison.Ordinal));

    public int Listings(string bucket) => RequestLines.Count(l => l.StartsWith($"GET /{bucket}", StringComparison.Ordinal) && !IsObject(l));

    private static bool IsObject(string line)
    {
        string target = line.Split(' ')[1];
        string path = target.Split('?')[0];
        string[] query = target.Contains('?', StringComparison.Ordinal) ? target[(target.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&') : [];
        // "/bucket/key": a key after the bucket's slash. "/bucket?list-type=2…", "/bucket/?versions…" are listings.
        int slash = path.IndexOf('/', 1);
        return slash > 0 && slash < path.Length - 1 && !query.Any(q => q.StartsWith("list-type=", StringComparison.Ordinal) || q == "versions" || q.StartsWith("versions=", StringComparison.Ordinal));
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            try
            {
                // No Nagle on either side: a response's headers and body, written apart, must not wait for a delayed ACK.
                client.NoDelay = true;
                upstream.NoDelay = true;
                await upstream.ConnectAsync(_upstream, _stop.Token);
                var down = upstream.GetStream().CopyToAsync(client.GetStream(), _stop.Token);
                var up = PumpRequestsAsync(client.GetStream(), upstream.GetStream());
                await Task.WhenAny(down, up);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                // A connection the client or the server closed: nothing to count.
            }
        }
    }

    private async Task PumpRequestsAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[64 * 1024];
        var pending = new StringBuilder();
        int n;
        while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
        {
            pending.Append(Encoding.Latin1.GetString(buffer, 0, n));
            string text = pending.ToString();
            int end;
            while ((end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal)) >= 0)
            {
                string requestLine = text[..text.IndexOf("\r\n", StringComparison.Ordinal)];
                lock (_requestLines) _requestLines.Add(requestLine);
                text = text[(end + 4)..];
            }
            pending.Clear().Append(text);
            await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
