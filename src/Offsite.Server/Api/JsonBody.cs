using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Offsite.Server.Api;

/// <summary>
/// Reads an optional JSON request body strictly: an empty body gives the defaults, anything that is not a JSON object
/// of the known fields is a 400 with one line saying what is wrong (unknown fields are refused, so typos are not ignored).
/// </summary>
internal static class JsonBody
{
    public const int MaxBytes = 64 * 1024;

    public static async Task<(T? Value, string? Error)> ReadAsync<T>(HttpRequest request, JsonSerializerOptions options, T empty, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength > MaxBytes)
        {
            return (null, $"request body larger than {MaxBytes} bytes");
        }
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                return (null, $"request body larger than {MaxBytes} bytes");
            }
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0 || buffer.ToArray().All(b => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
        {
            return (empty, null);
        }
        if (request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, "the request body must be JSON (Content-Type: application/json)");
        }
        try
        {
            T? value = JsonSerializer.Deserialize<T>(buffer.ToArray(), options);
            return value is null ? (null, "the request body must be a JSON object") : (value, null);
        }
        catch (JsonException e)
        {
            return (null, "malformed JSON body: " + e.Message.ReplaceLineEndings(" "));
        }
    }
}
