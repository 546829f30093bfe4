using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Offsite.Server.Scheduling;

namespace Offsite.Server.StatusPage;

/// <summary>
/// The status page: <c>GET /</c> (server-rendered HTML, no script), the sign-in form that sets the session cookie, and
/// the "run now" form target. The page refreshes itself every 15 seconds.
/// </summary>
internal static class StatusPageEndpoints
{
    private const string Csp = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void Map(IEndpointRouteBuilder app, ServerComponents c)
    {
        app.MapGet("/", async (HttpContext ctx) =>
        {
            string html = await StatusPageRenderer.RenderAsync(c, ctx.Request.Query["notice"], ctx.RequestAborted).ConfigureAwait(false);
            await WriteHtmlAsync(ctx, StatusCodes.Status200OK, html).ConfigureAwait(false);
        });

        app.MapPost("/login", async (HttpContext ctx) =>
        {
            IFormCollection form = await ctx.Request.ReadFormAsync(ctx.RequestAborted).ConfigureAwait(false);
            if (!c.Auth.IsValidToken(form["token"]))
            {
                await WriteSignInAsync(ctx, StatusCodes.Status401Unauthorized, failed: true).ConfigureAwait(false);
                return;
            }
            ctx.Response.Cookies.Append(Api.TokenAuth.CookieName, c.Auth.SessionValue, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = ctx.Request.IsHttps,
                Path = "/",
            });
            ctx.Response.Redirect("/", permanent: false);
        });

        app.MapPost("/ui/logout", (HttpContext ctx) =>
        {
            ctx.Response.Cookies.Delete(Api.TokenAuth.CookieName);
            return Results.Redirect("/");
        });

        app.MapPost("/ui/jobs/{name}/run", async (string name, HttpContext ctx) =>
        {
            StartOutcome outcome = await c.Scheduler.RunNowAsync(name, ctx.RequestAborted).ConfigureAwait(false);
            string notice = outcome.Run is { } run ? $"started run {run.Id} of job {name}" : outcome.Message ?? "not started";
            return Results.Redirect("/?notice=" + Uri.EscapeDataString(notice));
        });
    }

    public static Task WriteSignInAsync(HttpContext ctx, int status, bool failed) =>
        WriteHtmlAsync(ctx, status, StatusPageRenderer.SignIn(failed));

    private static async Task WriteHtmlAsync(HttpContext ctx, int status, string html)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/html; charset=utf-8";
        ctx.Response.Headers.ContentSecurityPolicy = Csp;
        ctx.Response.Headers["Referrer-Policy"] = "same-origin"; // "no-referrer" would make browsers send Origin: null
        await ctx.Response.WriteAsync(html, ctx.RequestAborted).ConfigureAwait(false);
    }
}
