using Offsite.Crypto.Age;

namespace Offsite.Crypto.Tests;

/// <summary>Known-answer tests for the OpenSSL-backed primitives and the key encodings.</summary>
public sealed class PrimitiveTests
{
    [Fact]
    public void X25519_matches_rfc7748_section_6_1()
    {
        byte[] alicePriv = Convert.FromHexString("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] bobPriv = Convert.FromHexString("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        var alicePub = new byte[32];
        var bobPub = new byte[32];
        X25519.GetPublicKey(alicePriv, alicePub);
        X25519.GetPublicKey(bobPriv, bobPub);
        Assert.Equal("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", Convert.ToHexStringLower(alicePub));
        Assert.Equal("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", Convert.ToHexStringLower(bobPub));

        var s1 = new byte[32];
        var s2 = new byte[32];
        Assert.True(X25519.TryComputeSharedSecret(alicePriv, bobPub, s1));
        Assert.True(X25519.TryComputeSharedSecret(bobPriv, alicePub, s2));
        Assert.Equal("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", Convert.ToHexStringLower(s1));
        Assert.Equal(s1, s2);
    }

    [Fact]
    public void X25519_rejects_low_order_points()
    {
        var priv = new byte[32];
        X25519.GeneratePrivateKey(priv);
        var shared = new byte[32];
        Assert.False(X25519.TryComputeSharedSecret(priv, new byte[32], shared)); // the identity point
        byte[] one = new byte[32];
        one[0] = 1;
        Assert.False(X25519.TryComputeSharedSecret(priv, one, shared));
        // ...and the library error queue was cleaned up, so the next operation still works.
        var pub = new byte[32];
        X25519.GetPublicKey(priv, pub);
        Assert.True(X25519.TryComputeSharedSecret(priv, pub, shared));
    }

    [Fact]
    public void Scrypt_matches_rfc7914_section_12()
    {
        var out1 = new byte[64];
        Scrypt.DeriveKey([], [], logN: 4, r: 1, p: 1, out1);
        Assert.Equal("77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906",
            Convert.ToHexStringLower(out1));

        var out2 = new byte[64];
        Scrypt.DeriveKey("password"u8, "NaCl"u8, logN: 10, r: 8, p: 16, out2);
        Assert.Equal("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640",
            Convert.ToHexStringLower(out2));
    }

    [Fact]
    public void Keys_round_trip_through_their_bech32_strings()
    {
        var id = X25519Identity.Generate();
        string secret = id.ToString();
        Assert.StartsWith("AGE-SECRET-KEY-1", secret, StringComparison.Ordinal);
        Assert.Equal(74, secret.Length);
        Assert.Equal(secret, X25519Identity.Parse(secret).ToString());
        string recipient = id.Recipient.ToString();
        Assert.StartsWith("age1", recipient, StringComparison.Ordinal);
        Assert.Equal(62, recipient.Length);
        Assert.Equal(recipient, X25519Identity.Parse(secret).Recipient.ToString());
        Assert.Equal(recipient, X25519Recipient.Parse(recipient).ToString());
    }

    [Fact]
    public void Known_testkit_identity_has_its_recipient()
    {
        // Recipient computed once with `age-keygen -y` for the testkit's identity.
        var id = X25519Identity.Parse("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0");
        Assert.Equal("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0", id.ToString());
        Assert.Equal("age1xmwwc06ly3ee5rytxm9mflaz2u56jjj36s0mypdrwsvlul66mv4q47ryef", id.Recipient.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("age1")]
    [InlineData("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM1")] // bad checksum
    [InlineData("age-secret-key-1egtzvffv20835nwyv6270lxyvk2vknx2mmdkwyklmgr48uawx40q2p2lm0")] // secret keys are upper case
    [InlineData("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2Lm0")] // mixed case
    [InlineData("AGE-SECRET-KEY-PQ-1HZLGZUPT4ETPKDEV8HSGFDCYZ4E522W0A7PU2LHT8EH9W6YLNC3SW78XKG")] // hybrid, unsupported
    public void Invalid_identities_are_rejected(string s) =>
        Assert.Throws<FormatException>(() => X25519Identity.Parse(s));

    [Fact]
    public void Invalid_recipients_are_rejected()
    {
        string good = X25519Identity.Generate().Recipient.ToString();
        Assert.Throws<FormatException>(() => X25519Recipient.Parse(good.ToUpperInvariant()));
        Assert.Throws<FormatException>(() => X25519Recipient.Parse(good[..^1] + (good[^1] == 'q' ? 'p' : 'q')));
        Assert.Throws<FormatException>(() => X25519Recipient.Parse(X25519Identity.Generate().ToString()));
        Assert.Throws<FormatException>(() => X25519Recipient.Parse(good[..^7] + good[^6..]));
    }
}
