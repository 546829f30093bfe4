using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Offsite.Storage.Tests;

/// <summary>
/// A TCP proxy on 127.0.0.1 in front of the test S3 server that injects network faults, standing in for tc/iptables in a
/// network namespace (no netem here, and nothing leaves loopback):
/// <list type="bullet">
/// <item><see cref="ResetFraction"/>: that fraction of new connections is reset (RST, SO_LINGER 0) after a random number of
/// bytes (up to <see cref="ResetAfterMaxBytes"/>, counting both directions), like <c>iptables -j REJECT --reject-with tcp-reset</c>.</item>
/// <item><see cref="Blackhole"/>: nothing moves in either direction on any connection, new or old, while it is set (connections
/// are still accepted), like <c>iptables -j DROP</c>; <see cref="BlackholeAfterUploadBytes"/> switches it on mid-transfer.</item>
/// <item><see cref="BitsPerSecond"/>: a token bucket per direction shared by all connections (burst 128 KiB), like
/// <c>tc qdisc … tbf rate 8mbit burst 128kb</c>.</item>
/// </list>
/// It also counts connections, injected resets and bytes.
/// </summary>
internal sealed class FaultProxy : IAsyncDisposable
{
    private const int Burst = 128 * 1024;
    private readonly TcpListener _listener;
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly Random _random;
    private readonly Task _acceptLoop;
    private readonly List<Task> _connections = [];
    private readonly TokenBucket _up = new();
    private readonly TokenBucket _down = new();
    private long _uploaded;
    private long _downloaded;
    private int _connectionCount;
    private int _resets;
    private volatile bool _blackhole;

    public FaultProxy(Uri upstream, int seed = 1)
    {
        _upstream = new IPEndPoint(IPAddress.Parse(upstream.Host), upstream.Port);
        _random = new Random(seed);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start(512);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }
    public string Endpoint => $"http://127.0.0.1:{Port}";

    public double ResetFraction { get; set; }
    public long ResetAfterMaxBytes { get; set; } = 4 << 20;
    public bool Blackhole { get => _blackhole; set => _blackhole = value; }
    public long BlackholeAfterUploadBytes { get; set; } = long.MaxValue;

    public long? BitsPerSecond
    {
        get => _up.BytesPerSecond is { } b ? b * 8 : null;
        set
        {
            _up.BytesPerSecond = value / 8;
            _down.BytesPerSecond = value / 8;
        }
    }

    public int Connections => Volatile.Read(ref _connectionCount);
    public int ResetsInjected => Volatile.Read(ref _resets);
    public long BytesUploaded => Interlocked.Read(ref _uploaded);
    public long BytesDownloaded => Interlocked.Read(ref _downloaded);

    public override string ToString() =>
        $"proxy: {Connections} connections, {ResetsInjected} resets injected, {BytesUploaded:N0} bytes up, {BytesDownloaded:N0} down, blackhole {Blackhole}";

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _connectionCount);
            long resetAt;
            lock (_random)
            {
                resetAt = _random.NextDouble() < ResetFraction ? _random.NextInt64(0, Math.Max(1, ResetAfterMaxBytes)) : long.MaxValue;
            }
            var task = Task.Run(() => HandleAsync(client, resetAt));
            lock (_connections)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(task);
            }
        }
    }

    private async Task HandleAsync(Socket client, long resetAt)
    {
        using var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        using var conn = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        long moved = 0;
        try
        {
            await WhileBlackholedAsync(conn.Token);
            await server.ConnectAsync(_upstream, conn.Token);
            bool reset = false;
            async Task PumpAsync(Socket from, Socket to, bool upload)
            {
                var buffer = new byte[16 * 1024];
                while (true)
                {
                    await WhileBlackholedAsync(conn.Token);
                    int n = await from.ReceiveAsync(buffer, SocketFlags.None, conn.Token);
                    if (n == 0)
                    {
                        to.Shutdown(SocketShutdown.Send);
                        return;
                    }
                    if (Interlocked.Add(ref moved, n) > resetAt)
                    {
                        reset = true;
                        await conn.CancelAsync();
                        return;
                    }
                    await (upload ? _up : _down).TakeAsync(n, conn.Token);
                    await WhileBlackholedAsync(conn.Token);
                    await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, conn.Token);
                    if (upload && Interlocked.Add(ref _uploaded, n) >= BlackholeAfterUploadBytes)
                    {
                        _blackhole = true;
                    }
                    if (!upload)
                    {
                        Interlocked.Add(ref _downloaded, n);
                    }
                }
            }
            var up = PumpAsync(client, server, upload: true);
            var down = PumpAsync(server, client, upload: false);
            try
            {
                await Task.WhenAll(up, down);
            }
            catch (Exception) when (reset)
            {
            }
            if (reset)
            {
                Interlocked.Increment(ref _resets);
                client.LingerState = new LingerOption(true, 0); // close sends RST
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or IOException)
        {
            client.LingerState = new LingerOption(true, 0);
        }
        finally
        {
            client.Dispose();
        }
    }

    private async Task WhileBlackholedAsync(CancellationToken cancellationToken)
    {
        while (_blackhole)
        {
            await Task.Delay(20, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        Task[] pending;
        lock (_connections)
        {
            pending = [.. _connections];
        }
        await Task.WhenAll(pending);
        _stop.Dispose();
    }

    /// <summary>Shared bandwidth limit for one direction; unlimited while <see cref="BytesPerSecond"/> is null.</summary>
    private sealed class TokenBucket
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Lock _lock = new();
        private double _tokens = Burst;
        private double _last;

        public long? BytesPerSecond { get; set; }

        public async Task TakeAsync(int n, CancellationToken cancellationToken)
        {
            while (BytesPerSecond is long rate)
            {
                double wait;
                lock (_lock)
                {
                    double now = _clock.Elapsed.TotalSeconds;
                    _tokens = Math.Min(Burst, _tokens + ((now - _last) * rate));
                    _last = now;
                    if (_tokens >= n)
                    {
                        _tokens -= n;
                        return;
                    }
                    wait = (n - _tokens) / rate;
                }
                await Task.Delay(TimeSpan.FromSeconds(Math.Max(wait, 0.001)), cancellationToken);
            }
        }
    }
}
