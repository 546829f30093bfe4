namespace Offsite.Core.Repository;

/// <summary>
/// How the client proves it may use the repository: a passphrase (unwraps a <c>keys/</c> object)
/// or key text (a full or write-only key file, or a bare identity from a KMS command).
/// <paramref name="Origin"/> names where it came from, for messages; never the secret itself.
/// </summary>
public sealed record KeySource(string? Passphrase, string? KeyText, string Origin)
{
    public static KeySource FromPassphrase(string passphrase, string origin) => new(passphrase, null, origin);
    public static KeySource FromKeyText(string keyText, string origin) => new(null, keyText, origin);

    // Records print their members; a secret must never end up in a log line this way.
    public override string ToString() => $"KeySource({Origin})";
}
