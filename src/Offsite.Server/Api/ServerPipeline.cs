using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Offsite.Server.Api;

/// <summary>
/// Authentication for every request, before routing: <c>/healthz</c> is open; the status page (<c>/</c>, <c>/ui/…</c>)
/// accepts its session cookie or the bearer token and shows a sign-in form otherwise; everything else needs the bearer
/// token. Cookie-authenticated POSTs must come from the page itself (same Origin), so another site cannot press
/// "run now" for a signed-in browser.
/// </summary>
internal static class ServerPipeline
{
    public static void Use(WebApplication app, ServerComponents c)
    {
        app.Use(async (ctx, next) =>
        {
            ctx.Response.Headers.XContentTypeOptions = "nosniff";
            ctx.Response.Headers.CacheControl = "no-store";
            string path = ctx.Request.Path.Value ?? "/";
            if (path == "/healthz" || path == "/login" || c.Auth.HasBearer(ctx))
            {
                await next(ctx).ConfigureAwait(false);
                return;
            }
            bool ui = path == "/" || path.StartsWith("/ui/", StringComparison.Ordinal);
            if (ui && c.Auth.HasSession(ctx))
            {
                if (HttpMethods.IsGet(ctx.Request.Method) || SameOrigin(ctx))
                {
                    await next(ctx).ConfigureAwait(false);
                    return;
                }
                ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }
            if (ui && HttpMethods.IsGet(ctx.Request.Method))
            {
                await StatusPage.StatusPageEndpoints.WriteSignInAsync(ctx, StatusCodes.Status401Unauthorized, failed: false).ConfigureAwait(false);
                return;
            }
            await TokenAuth.ChallengeAsync(ctx).ConfigureAwait(false);
        });
    }

    private static bool SameOrigin(HttpContext ctx)
    {
        // Fetch metadata, sent by every current browser, says it directly.
        string? site = ctx.Request.Headers["Sec-Fetch-Site"];
        if (!string.IsNullOrEmpty(site))
        {
            return site == "same-origin";
        }
        string? origin = ctx.Request.Headers.Origin;
        if (string.IsNullOrEmpty(origin) || origin == "null")
        {
            // Browsers send Origin on every cross-site POST; its absence means a same-origin or non-browser client.
            return string.IsNullOrEmpty(origin);
        }
        return Uri.TryCreate(origin, UriKind.Absolute, out Uri? uri) &&
               string.Equals(uri.Authority, ctx.Request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
