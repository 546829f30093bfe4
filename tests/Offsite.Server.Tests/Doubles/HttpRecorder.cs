using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Offsite.Server.Tests.Doubles;

/// <summary>An HTTP listener on 127.0.0.1 that records every request (webhook, Slack and ping receivers). Paths containing "broken" answer 500.</summary>
public sealed class HttpRecorder : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HttpRecorder(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }
    public ConcurrentQueue<Request> Requests { get; } = new();

    public sealed record Request(string Method, string PathAndQuery, string ContentType, string Body);

    public static async Task<HttpRecorder> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        HttpRecorder? self = null;
        app.Run(async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            string body = await reader.ReadToEndAsync();
            self!.Requests.Enqueue(new Request(ctx.Request.Method, ctx.Request.Path + ctx.Request.QueryString, ctx.Request.ContentType ?? "", body));
            ctx.Response.StatusCode = ctx.Request.Path.Value!.Contains("broken", StringComparison.Ordinal) ? 500 : 200;
        });
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new HttpRecorder(app, new Uri(address + "/"));
        return self;
    }

    public Uri Url(string path) => new(BaseAddress, path);

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
