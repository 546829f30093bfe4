using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Offsite.Core.Errors;
using Offsite.Core.Keys;
using Offsite.Core.Repository;
using Offsite.Crypto.Age;

namespace Offsite.Core.Tests;

/// <summary>The config MAC (docs/format.md, "Config authentication"): what it covers, and malformed input.</summary>
public sealed class ConfigAuthenticationTests
{
    private static (RepositoryConfig Config, RepositoryKey Key) Sealed()
    {
        var identity = X25519Identity.Generate();
        var config = new RepositoryConfig { Id = new string('a', 64), Recipient = identity.Recipient.ToString(), Created = DateTimeOffset.Parse("2026-01-02T03:04:05.678+00:00", System.Globalization.CultureInfo.InvariantCulture) };
        var key = RepositoryKey.FromIdentity(identity, config.Id);
        ConfigAuthentication.Seal(config, key);
        return (config, key);
    }

    private static RepositoryConfig Reparse(RepositoryConfig config) => RepositoryConfig.Parse(config.Serialize());

    [Fact]
    public void Sealed_config_verifies_after_a_round_trip_for_full_and_write_only_keys()
    {
        var (config, key) = Sealed();
        Assert.Matches("^[0-9a-f]{64}$", config.Mac);
        var reread = Reparse(config);
        ConfigAuthentication.Verify(reread, RepositoryKey.FromIdentity(key.Identity, config.Id), "test", NullLogger.Instance);
        var writeOnly = KeyFile.Parse(KeyFile.FormatWriteOnly(key), config.Id, "host.key");
        ConfigAuthentication.Verify(reread, writeOnly, "host.key", NullLogger.Instance);
        Assert.True(writeOnly.ConfigAuthenticated);
    }

    [Theory]
    [InlineData("min")]
    [InlineData("max")]
    [InlineData("level")]
    [InlineData("packSize")]
    [InlineData("retention")]
    [InlineData("created")]
    public void Any_changed_value_fails(string what)
    {
        var (config, key) = Sealed();
        var changed = Reparse(config);
        switch (what)
        {
            case "min": changed.Chunker.Min++; break;
            case "max": changed.Chunker.Max--; break;
            case "level": changed.CompressionLevel = 19; break;
            case "packSize": changed.PackSize *= 2; break;
            case "retention": changed.Retention = new RetentionConfig { ExpireDays = 3, RefreshDays = 1 }; break;
            case "created": changed.Created = changed.Created.AddTicks(1); break;
        }
        var e = Assert.Throws<OffsiteException>(() => ConfigAuthentication.Verify(changed, key, "test", NullLogger.Instance));
        Assert.Equal(ErrorKind.RepositoryDamaged, e.Kind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("zz")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("not hex at all, and much longer than sixty-four characters of a real mac value .....")]
    public void Malformed_mac_fails_cleanly(string mac)
    {
        var (config, key) = Sealed();
        config.Mac = mac;
        Assert.Equal(ErrorKind.RepositoryDamaged, Assert.Throws<OffsiteException>(() => ConfigAuthentication.Verify(config, key, "test", NullLogger.Instance)).Kind);
    }

    [Fact]
    public void Another_repository_key_fails()
    {
        var (config, _) = Sealed();
        var other = RepositoryKey.FromIdentity(X25519Identity.Generate(), config.Id);
        Assert.Throws<OffsiteException>(() => ConfigAuthentication.Verify(config, other, "test", NullLogger.Instance));
    }

    [Fact]
    public void Missing_mac_is_accepted_only_by_a_key_not_marked_for_an_authenticated_config()
    {
        var (config, key) = Sealed();
        config.Mac = null;
        var unmarked = KeyFile.Parse(KeyFile.FormatFull(RepositoryKey.FromIdentity(key.Identity, config.Id)), config.Id, "old.key");
        Assert.False(unmarked.ConfigAuthenticated);
        ConfigAuthentication.Verify(config, unmarked, "old.key", NullLogger.Instance); // a warning, not an error
        var marked = KeyFile.Parse(KeyFile.FormatFull(key), config.Id, "new.key");
        Assert.True(marked.ConfigAuthenticated);
        Assert.Equal(ErrorKind.RepositoryDamaged, Assert.Throws<OffsiteException>(() => ConfigAuthentication.Verify(config, marked, "new.key", NullLogger.Instance)).Kind);
    }

    [Fact]
    public void Canonical_bytes_leave_out_the_mac_and_ignore_formatting()
    {
        var (config, _) = Sealed();
        string canonical = Encoding.UTF8.GetString(ConfigAuthentication.CanonicalBytes(config));
        Assert.DoesNotContain("\"mac\"", canonical, StringComparison.Ordinal);
        Assert.StartsWith("{\"version\":1,\"id\":", canonical, StringComparison.Ordinal);
        string indented = System.Text.Json.Nodes.JsonNode.Parse(config.Serialize())!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        Assert.Equal(canonical, Encoding.UTF8.GetString(ConfigAuthentication.CanonicalBytes(RepositoryConfig.Parse(Encoding.UTF8.GetBytes(indented)))));
    }

    [Theory]
    [InlineData("eadee2b6c1000000", "eadee2b6d4000000", "eadee2b6c100…", "eadee2b6d400…")]
    [InlineData("0123456789abcdef0123", "fedcba9876543210fedc", "01234567…", "fedcba98…")]
    [InlineData("abc", "abd", "abc", "abd")]
    [InlineData("same", "same", "same", "same")]
    public void Id_prefixes_differ_whenever_the_ids_do(string a, string b, string shownA, string shownB)
    {
        Assert.Equal((shownA, shownB), IdPrefixes.Distinguish(a, b));
    }
}
