using System.Text.Json.Nodes;

namespace Offsite.Cli.Tests;

/// <summary>`offsite tag`: snapshots rewritten to new ids with the changed tags, the old objects deleted, the data untouched.</summary>
public sealed class TagTests
{
    private static Dictionary<string, string[]> Tags(Sandbox box) =>
        box.Json("snapshots").AsArray().ToDictionary(s => s!["id"]!.GetValue<string>(), s => s!["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray());

    [Fact]
    public void Add_remove_and_set_rewrite_the_chosen_snapshots_and_delete_the_old_objects()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "f"), "content");
        string a = box.Backup(src, "--host", "alpha", "--tag", "keep")["snapshot"]!.GetValue<string>();
        string b = box.Backup(src, "--host", "beta")["snapshot"]!.GetValue<string>();
        var before = box.Json("snapshots").AsArray().Single(s => s!["id"]!.GetValue<string>() == a)!;

        // By id: only that snapshot changes, and gets a new id; the old object is gone from snapshots/.
        var added = box.Json("tag", a[..8], "--add", "x", "--add", "y");
        Assert.Equal(1, added["changed"]!.GetValue<int>());
        string a2 = added["snapshots"]![0]!["new"]!.GetValue<string>();
        Assert.NotEqual(a, a2);
        Assert.Equal(["keep", "x", "y"], Tags(box)[a2]);
        Assert.Empty(Tags(box)[b]);
        Assert.Equal(new[] { a2, b }.Order(StringComparer.Ordinal), box.Objects("snapshots").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        // Everything but the tags is the same snapshot: time, host, tree.
        var after = box.Json("snapshots").AsArray().Single(s => s!["id"]!.GetValue<string>() == a2)!;
        foreach (string field in new[] { "time", "host", "source", "tree", "bytes", "files" })
        {
            Assert.Equal(before[field]!.ToJsonString(), after[field]!.ToJsonString());
        }

        // By filter: --host picks; --remove; a snapshot whose tags would not change keeps its id.
        var removed = box.Json("tag", "--host", "alpha", "--remove", "x");
        string a3 = removed["snapshots"]![0]!["new"]!.GetValue<string>();
        Assert.Equal(["keep", "y"], Tags(box)[a3]);
        var unchanged = box.Json("tag", "--host", "alpha", "--remove", "nothere");
        Assert.Equal(0, unchanged["changed"]!.GetValue<int>());
        Assert.True(Tags(box).ContainsKey(a3));

        // --set replaces; without ids or filters every snapshot is tagged (as restic does).
        box.Ok("tag", "--set", "one", "--set", "two");
        Assert.All(Tags(box).Values, t => Assert.Equal(["one", "two"], t));
        box.Ok("tag", "latest", "--set", "");
        Assert.Single(Tags(box).Values, t => t.Length == 0);

        // The rewritten snapshots restore and check as before.
        box.Ok("restore", "latest", "--host", "alpha", "--target", box.Path("out"));
        Assert.Equal("content", File.ReadAllText(box.Path("out") + src + "/f"));
        box.Ok("check");

        // Usage errors before anything is opened; unknown snapshots are exit 10.
        Assert.Contains("--add, --remove or --set", box.Expect(2, "tag", "latest").Stderr, StringComparison.Ordinal);
        box.Expect(2, "tag", "latest", "--set", "a", "--add", "b");
        box.Expect(10, "tag", "ffffffff", "--add", "z");
        box.Expect(10, "tag", "--host", "nobody", "--add", "z");
        Assert.Equal(2, box.Objects("snapshots").Count);
    }

    [Fact]
    public void A_write_only_key_cannot_tag_and_nothing_changes()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "f"), "x");
        box.Backup(src);
        string hostKey = box.Path("host.key");
        box.Ok("key", "export", "--write-only", "-o", hostKey);
        var objects = box.Objects("snapshots");
        var env = new Dictionary<string, string?> { ["OFFSITE_PASSWORD"] = null, ["OFFSITE_KEY_FILE"] = hostKey };
        string[] args = ["tag", "latest", "--add", "x"];
        var r = Sandbox.Expect(7, box.RunWith(env, null, args), args);
        Assert.Contains("write-only", r.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(objects, box.Objects("snapshots"));
    }

    [Fact]
    public void Tag_refuses_while_another_host_holds_the_prune_lock()
    {
        using var box = new Sandbox();
        string src = box.Dir.Sub("src");
        File.WriteAllText(Path.Combine(src, "f"), "x");
        box.Backup(src);
        var objects = box.Objects("snapshots");
        // A lock held by another host (not expired) as `prune` writes it.
        Directory.CreateDirectory(Path.Combine(box.Repo, "locks"));
        var held = new JsonObject
        {
            ["host"] = "elsewhere", ["pid"] = 4242, ["created"] = DateTimeOffset.UtcNow.ToString("O"),
            ["expires"] = DateTimeOffset.UtcNow.AddMinutes(30).ToString("O"), ["id"] = Guid.NewGuid().ToString("N"),
        };
        File.WriteAllText(Path.Combine(box.Repo, "locks", "prune"), held.ToJsonString());
        var r = box.Expect(11, "tag", "latest", "--add", "x");
        Assert.Contains("elsewhere", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(objects, box.Objects("snapshots"));
    }
}
