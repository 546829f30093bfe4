using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Offsite.Core.Errors;

namespace Offsite.Sources.Http;

/// <summary>
/// How to trust the server and prove who we are: a CA file (PEM, for a private CA), a client
/// certificate and key (PEM, mutual TLS), and certificate checks turned off only when
/// <see cref="SkipVerify"/> was asked for explicitly.
/// </summary>
public sealed record HttpTls(string? CaFile = null, string? ClientCert = null, string? ClientKey = null, bool SkipVerify = false)
{
    public static HttpTls None { get; } = new();

    /// <summary>The TLS options for a connection; files are read now, so a bad path fails before any request.</summary>
    public SslClientAuthenticationOptions ToSslOptions(string what)
    {
        var options = new SslClientAuthenticationOptions();
        if (SkipVerify)
        {
            options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (CaFile is not null)
        {
            var trust = new X509Certificate2Collection();
            try
            {
                trust.ImportFromPemFile(CaFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                throw new OffsiteException(ErrorKind.Usage, $"{what}: cannot read the CA file {CaFile}: {e.Message}", e);
            }
            if (trust.Count == 0)
            {
                throw new OffsiteException(ErrorKind.Usage, $"{what}: the CA file {CaFile} holds no PEM certificate");
            }
            options.CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            options.CertificateChainPolicy.CustomTrustStore.AddRange(trust);
        }
        if (ClientCert is not null || ClientKey is not null)
        {
            if (ClientCert is null || ClientKey is null)
            {
                throw new OffsiteException(ErrorKind.Usage, $"{what}: a client certificate needs both the certificate and the key file");
            }
            try
            {
                options.ClientCertificates = [X509Certificate2.CreateFromPemFile(ClientCert, ClientKey)];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                throw new OffsiteException(ErrorKind.Usage, $"{what}: cannot load the client certificate {ClientCert} with key {ClientKey}: {e.Message}", e);
            }
        }
        return options;
    }
}
