using Offsite.Core.Errors;
using Offsite.Core.Keys;
using Offsite.Crypto.Age;

namespace Offsite.Core.Tests;

public sealed class KeyFileTests
{
    private const string RepoId = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    [Fact]
    public void Full_key_round_trips_and_derives_the_same_secrets()
    {
        var key = RepositoryKey.FromIdentity(X25519Identity.Generate(), RepoId);
        var parsed = KeyFile.Parse(KeyFile.FormatFull(key), RepoId, "test");
        Assert.True(parsed.CanRead);
        Assert.Equal(key.BlobIdKey, parsed.BlobIdKey);
        Assert.Equal(key.ChunkerSeed, parsed.ChunkerSeed);
        Assert.Equal(key.Recipient.ToString(), parsed.Recipient.ToString());
    }

    [Fact]
    public void A_bare_identity_is_a_full_key()
    {
        var identity = X25519Identity.Generate();
        var parsed = KeyFile.Parse(identity + "\n", RepoId, "kms");
        Assert.Equal(RepositoryKey.FromIdentity(identity, RepoId).BlobIdKey, parsed.BlobIdKey);
    }

    [Fact]
    public void Write_only_key_has_the_write_secrets_and_cannot_read()
    {
        var key = RepositoryKey.FromIdentity(X25519Identity.Generate(), RepoId);
        string text = KeyFile.FormatWriteOnly(key);
        Assert.DoesNotContain("AGE-SECRET-KEY", text, StringComparison.OrdinalIgnoreCase);
        var parsed = KeyFile.Parse(text, RepoId, "host.key");
        Assert.False(parsed.CanRead);
        Assert.Equal(key.BlobIdKey, parsed.BlobIdKey);
        Assert.Equal(key.ChunkerSeed, parsed.ChunkerSeed);
        Assert.Equal(ErrorKind.KeyCannotRead, Assert.Throws<OffsiteException>(() => parsed.Identity).Kind);
    }

    [Fact]
    public void Secrets_differ_between_repositories_sharing_an_identity()
    {
        var identity = X25519Identity.Generate();
        var a = RepositoryKey.FromIdentity(identity, RepoId);
        var b = RepositoryKey.FromIdentity(identity, new string('1', 64));
        Assert.NotEqual(a.BlobIdKey, b.BlobIdKey);
        Assert.NotEqual(a.ChunkerSeed, b.ChunkerSeed);
        Assert.NotEqual(a.BlobIdKey, a.ChunkerSeed);
    }

    [Fact]
    public void A_key_for_another_repository_is_refused()
    {
        var key = RepositoryKey.FromIdentity(X25519Identity.Generate(), RepoId);
        var e = Assert.Throws<OffsiteException>(() => KeyFile.Parse(KeyFile.FormatFull(key), new string('2', 64), "k"));
        Assert.Equal(ErrorKind.WrongKey, e.Kind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello\n")]
    [InlineData("# offsite-recipient: age1xyz\n")]
    public void Garbage_is_a_usage_error(string text)
    {
        Assert.Equal(ErrorKind.Usage, Assert.Throws<OffsiteException>(() => KeyFile.Parse(text, RepoId, "k")).Kind);
    }

    [Fact]
    public void A_malformed_identity_is_not_echoed()
    {
        const string secret = "AGE-SECRET-KEY-1NOTAVALIDKEYBUTSECRETLOOKINGQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ";
        var e = Assert.Throws<OffsiteException>(() => KeyFile.Parse(secret, RepoId, "k"));
        Assert.DoesNotContain("NOTAVALID", e.ToString(), StringComparison.Ordinal);
    }
}
