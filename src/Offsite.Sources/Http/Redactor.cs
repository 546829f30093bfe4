namespace Offsite.Sources.Http;

/// <summary>
/// Remembers the secrets used for one request chain and removes them from any text that leaves
/// it (an error body a server echoed, an exception message): tokens never reach logs or errors.
/// </summary>
public sealed class Redactor
{
    private readonly List<string> _secrets = new();

    public void Add(string secret)
    {
        if (secret.Length >= 4)
        {
            lock (_secrets) _secrets.Add(secret);
        }
    }

    public string Redact(string text)
    {
        lock (_secrets)
        {
            foreach (string secret in _secrets)
            {
                text = text.Replace(secret, "<redacted>", StringComparison.Ordinal);
            }
        }
        return text;
    }
}
