using System.Net;
using System.Net.Http.Headers;
using Offsite.Server.Hosting;

namespace Offsite.Server.Tests.Doubles;

/// <summary>A real server (Kestrel on 127.0.0.1, a free port) over test doubles of the application layer.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly bool _ownsStorage;

    private TestServer(RunningServer server, string token, FakeCatalog catalog, WorkingExecutor executor, FakeQueries queries, LocalLeaseStorage storage, ListLoggerFactory logs, bool ownsStorage)
    {
        Server = server;
        Token = token;
        Catalog = catalog;
        Executor = executor;
        Queries = queries;
        Storage = storage;
        Logs = logs;
        _ownsStorage = ownsStorage;
        Client = new HttpClient { BaseAddress = server.BaseAddress };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Anonymous = new HttpClient { BaseAddress = server.BaseAddress };
    }

    public RunningServer Server { get; }
    public string Token { get; }
    public FakeCatalog Catalog { get; }
    public WorkingExecutor Executor { get; }
    public FakeQueries Queries { get; }
    public LocalLeaseStorage Storage { get; }
    public ListLoggerFactory Logs { get; }
    public HttpClient Client { get; }
    public HttpClient Anonymous { get; }

    public static async Task<TestServer> StartAsync(FakeCatalog catalog, WorkingExecutor? executor = null, FakeQueries? queries = null,
        LocalLeaseStorage? storage = null, Func<ServerOptions, ServerOptions>? configure = null, string host = "test-host")
    {
        string token = "tok-" + Guid.NewGuid().ToString("N");
        var options = new ServerOptions
        {
            Token = token,
            BindAddress = IPAddress.Loopback,
            Port = 0,
            CatchUpMissedRuns = false,
            ReloadOnSighup = false,
            HostName = host,
            ShutdownGrace = TimeSpan.FromSeconds(10),
            LeaseTtl = TimeSpan.FromSeconds(30),
        };
        options = configure?.Invoke(options) ?? options;
        executor ??= new WorkingExecutor();
        queries ??= new FakeQueries();
        bool owns = storage is null;
        storage ??= new LocalLeaseStorage();
        var logs = new ListLoggerFactory();
        RunningServer server = await ServerHost.StartAsync(options, catalog, executor, queries, storage, logs, default);
        return new TestServer(server, options.Token, catalog, executor, queries, storage, logs, owns);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Anonymous.Dispose();
        await Server.StopAsync();
        await Server.DisposeAsync();
        if (_ownsStorage)
        {
            Storage.Dispose();
        }
    }
}
