using System.Text.Json.Nodes;

namespace Offsite.Cli.Tests;

/// <summary>
/// The plaintext config is bound to the keys (issue 15, item 5), a foreign key's message tells the two
/// repository ids apart (item 6), and an unknown id under lifecycle retention says snapshots expire (item 7).
/// </summary>
public sealed class ConfigAuthenticationTests
{
    [Theory]
    [InlineData("\"min\":")]
    [InlineData("\"max\":")]
    [InlineData("\"compressionLevel\":")]
    [InlineData("\"packSize\":")]
    public void Changed_config_value_is_refused_as_damage_by_full_and_write_only_keys(string field)
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "a.txt"), "hello");
        box.Backup(src);
        string hostKey = box.Path("host.key");
        box.Ok("key", "export", "--write-only", "-o", hostKey);
        Assert.Contains("# offsite-config: authenticated", File.ReadAllText(hostKey), StringComparison.Ordinal);
        string config = Path.Combine(box.Repo, "config");
        Assert.Matches("\"mac\":\"[0-9a-f]{64}\"", File.ReadAllText(config));

        DamageIsolationTests.FlipValueDigit(field)(config);
        var r = box.Expect(4, "snapshots");
        Assert.Contains("config fails authentication", r.Stderr, StringComparison.Ordinal);
        // A write-only host verifies too: it must not chunk or compress by a forged config.
        var host = box.RunWith(new Dictionary<string, string?> { ["OFFSITE_PASSWORD"] = null, ["OFFSITE_KEY_FILE"] = hostKey }, null, "backup", src);
        Sandbox.Expect(4, host, ["backup", "(write-only, forged config)"]);
        Assert.Contains("config fails authentication", host.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Reindented_config_still_opens_it_is_the_values_that_are_bound()
    {
        using var box = new Sandbox();
        string config = Path.Combine(box.Repo, "config");
        var json = JsonNode.Parse(File.ReadAllText(config))!;
        File.WriteAllText(config, json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        var r = box.Ok("snapshots");
        Assert.DoesNotContain("warning", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_without_mac_opens_with_a_warning_until_migrate_adds_it_and_a_stripped_mac_is_refused_after()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "a.txt"), "hello");
        box.Backup(src);
        // What an older offsite left: a config without "mac", and key files without the marker line.
        string legacyKey = box.Path("legacy.key");
        File.WriteAllLines(legacyKey, File.ReadAllLines(box.ExportIdentity()).Where(l => !l.StartsWith("# offsite-config:", StringComparison.Ordinal)));
        string config = Path.Combine(box.Repo, "config");
        var json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        string original = File.ReadAllText(config);
        json.Remove("mac");
        string legacyConfig = json.ToJsonString();
        File.WriteAllText(config, legacyConfig);
        var legacy = new Dictionary<string, string?> { ["OFFSITE_PASSWORD"] = null, ["OFFSITE_KEY_FILE"] = legacyKey };

        var open = box.RunWith(legacy, null, "snapshots");
        Sandbox.Expect(0, open, ["snapshots", "(legacy)"]);
        Assert.Contains("warning: the repository config is not authenticated", open.Stderr, StringComparison.Ordinal);
        Assert.Contains("offsite migrate", open.Stderr, StringComparison.Ordinal);
        // Unauthenticated, a change goes through: that is what migrate fixes.
        Sandbox.Expect(0, box.RunWith(legacy, null, "backup", src), ["backup", "(legacy)"]);

        // The keys/ object init wrote says the config is authenticated: the passphrase refuses the stripped config.
        var stripped = box.Expect(4, "snapshots");
        Assert.Contains("carries no authentication", stripped.Stderr, StringComparison.Ordinal);

        var migrate = box.RunWith(legacy, null, "migrate");
        Sandbox.Expect(0, migrate, ["migrate"]);
        Assert.Contains("chunker 524288/1048576/8388608", migrate.Stdout, StringComparison.Ordinal);
        Assert.Equal(original, File.ReadAllText(config)); // the same MAC init wrote: same key, same values
        var again = box.RunWith(legacy, null, "snapshots");
        Sandbox.Expect(0, again, ["snapshots", "(migrated)"]);
        Assert.DoesNotContain("warning", again.Stderr, StringComparison.Ordinal);
        Assert.Contains("nothing to do", box.RunWith(legacy, null, "migrate").Stdout, StringComparison.Ordinal);
        box.Ok("snapshots"); // the passphrase accepts it again

        // A write-only key cannot vouch for a config.
        string hostKey = box.Path("host.key");
        box.Ok("key", "export", "--write-only", "-o", hostKey);
        File.WriteAllText(config, legacyConfig);
        var host = box.RunWith(new Dictionary<string, string?> { ["OFFSITE_PASSWORD"] = null, ["OFFSITE_KEY_FILE"] = hostKey }, null, "migrate");
        // The exported key carries the marker: the stripped config is refused before migrate could even ask.
        Sandbox.Expect(4, host, ["migrate", "(write-only, stripped)"]);
        string legacyHostKey = box.Path("legacy-host.key");
        File.WriteAllLines(legacyHostKey, File.ReadAllLines(hostKey).Where(l => !l.StartsWith("# offsite-config:", StringComparison.Ordinal)));
        host = box.RunWith(new Dictionary<string, string?> { ["OFFSITE_PASSWORD"] = null, ["OFFSITE_KEY_FILE"] = legacyHostKey }, null, "migrate");
        Sandbox.Expect(7, host, ["migrate", "(legacy write-only)"]);
    }

    [Fact]
    public void Foreign_key_message_shows_enough_of_both_ids_to_differ()
    {
        using var box = new Sandbox();
        string config = Path.Combine(box.Repo, "config");
        var json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        string id = json["id"]!.GetValue<string>();
        // Flip the 13th digit: the first 8 stay equal.
        string flipped = id[..12] + (id[12] == '0' ? '1' : '0') + id[13..];
        File.WriteAllText(config, File.ReadAllText(config).Replace(id, flipped, StringComparison.Ordinal));

        var r = box.Expect(3, "snapshots");
        Assert.Contains($"for repository {id[..16]}…, not for this repository ({flipped[..16]}…)", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_snapshot_id_under_lifecycle_retention_says_it_may_have_expired()
    {
        using var box = new Sandbox(init: false);
        box.Ok("init", "--lifecycle-expire-days", "2", "--refresh-days", "1", "--lifecycle-day-seconds", "1");
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "a.txt"), "old");
        string old = box.Backup(src)["snapshot"]!.GetValue<string>();
        Thread.Sleep(2500); // past the two-"day" expiry: the bucket's rule deletes it (here: by hand)
        File.Delete(Path.Combine(box.Repo, "snapshots", old));
        File.WriteAllText(Path.Combine(src, "a.txt"), "new");
        box.Backup(src);

        var r = box.Expect(10, "restore", old, "--target", box.Path("out"));
        Assert.Contains($"no snapshot with id {old}", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("expired", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("lifecycle retention", r.Stderr, StringComparison.Ordinal);

        // Without lifecycle retention an unknown id is just unknown.
        using var plain = new Sandbox();
        var unknown = plain.Expect(10, "restore", old, "--target", plain.Path("out"));
        Assert.DoesNotContain("expired", unknown.Stderr, StringComparison.Ordinal);
    }
}
