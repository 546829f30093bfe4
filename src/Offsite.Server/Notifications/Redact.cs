namespace Offsite.Server.Notifications;

internal static class Redact
{
    /// <summary>Scheme, host and port only: paths and queries of webhook and ping URLs are credentials.</summary>
    public static string Url(Uri url) => url.GetLeftPart(UriPartial.Authority) + "/…";
}
