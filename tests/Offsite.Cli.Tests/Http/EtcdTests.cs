using System.Text;

namespace Offsite.Cli.Tests.Http;

/// <summary>
/// etcd through the real binary against the real etcd 3.4 peer: the snapshot Offsite stores is
/// the one etcdctl saves, and what Offsite restores rebuilds a member holding the same keys.
/// </summary>
public sealed class EtcdTests : IDisposable
{
    private readonly Sandbox _box = new();
    private readonly string _prefix = $"/offsite-test/{Guid.NewGuid():N}/";

    public void Dispose()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(EtcdPeer.Variable)))
        {
            EtcdPeer.Ctl("del", "--prefix", _prefix);
        }
        _box.Dispose();
    }

    private Dictionary<string, string> PutKeys()
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < 25; i++)
        {
            string key = $"{_prefix}k{i:D2}", value = $"value {i} " + new string((char)('a' + (i % 26)), 100 + (i * 37));
            EtcdPeer.Ctl("put", key, value);
            keys[key] = value;
        }
        return keys;
    }

    private static Dictionary<string, string> KeysUnder(string endpoint, string prefix)
    {
        string[] lines = EtcdPeer.CtlAt(endpoint, "get", "--prefix", prefix).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < lines.Length; i += 2)
        {
            keys[lines[i]] = lines[i + 1];
        }
        return keys;
    }

    [EtcdFact]
    public void The_snapshot_is_byte_for_byte_what_etcdctl_saves_and_restores_to_the_same_keys()
    {
        var keys = PutKeys();
        var env = new Dictionary<string, string?> { ["ETCDCTL_ENDPOINTS"] = EtcdPeer.Endpoint };
        byte[]? matched = null;
        // The peer is shared: another test's write between the saves changes the revision. Only a
        // round whose two etcdctl saves agree (nothing changed meanwhile) decides.
        for (int round = 0; round < 5 && matched is null; round++)
        {
            string before = _box.Path($"before-{round}.db"), after = _box.Path($"after-{round}.db");
            EtcdPeer.Ctl("snapshot", "save", before);
            var backup = _box.RunWith(env, null, "--json", "backup", "etcd:");
            Assert.True(backup.ExitCode == 0, backup.ToString());
            EtcdPeer.Ctl("snapshot", "save", after);
            byte[] b = File.ReadAllBytes(before);
            if (b.AsSpan().SequenceEqual(File.ReadAllBytes(after)))
            {
                matched = b;
                string restored = _box.Dir.Sub($"restored-{round}");
                _box.Ok("restore", backup.Json()["snapshot"]!.GetValue<string>(), "--to", "etcd:" + restored);
                Assert.Equal(b, File.ReadAllBytes(Path.Combine(restored, "etcd.db")));
            }
        }
        Assert.NotNull(matched);

        var snapshot = _box.Json("snapshots").AsArray()[^1]!;
        Assert.Equal("etcd:" + new Uri(EtcdPeer.Endpoint).Authority, snapshot["source"]!.GetValue<string>());
        Assert.Contains("etcd", snapshot["tags"]!.AsArray().Select(t => t!.GetValue<string>()));

        // Offsite's restore is the file for `etcdctl snapshot restore`: rebuild a member from it and read the keys back.
        string file = Directory.GetFiles(_box.Dir.Path, "etcd.db", SearchOption.AllDirectories)[0];
        var (etcd, endpoint) = EtcdPeer.StartFromSnapshot(file, _box.Path("member"));
        try
        {
            Assert.Equal(keys, KeysUnder(endpoint, _prefix));
        }
        finally
        {
            etcd.Kill(entireProcessTree: true);
            etcd.WaitForExit();
        }
    }

    [EtcdFact]
    public void A_config_job_backs_up_etcd_and_restores_the_file_to_its_target_and_to_standard_output()
    {
        var keys = PutKeys();
        string config = _box.Path("offsite.yaml");
        string target = _box.Dir.Sub("etcd-restore");
        File.WriteAllText(config, $$"""
            repositories:
              main: {location: {{_box.Repo}}, password: "{{Sandbox.Password}}"}
            jobs:
              cluster:
                source: {type: etcd, address: "{{EtcdPeer.Endpoint}}", name: etcd-main}
                restore: {type: etcd, path: {{target}}}
            """);
        _box.Ok("--config", config, "config", "check");
        var run = _box.Ok("--config", config, "run", "cluster");
        Assert.Contains("1 snapshot(s) saved", run.Stdout, StringComparison.Ordinal);
        _box.Ok("--config", config, "--job", "cluster", "restore", "latest");
        string file = Path.Combine(target, "etcd.db");
        Assert.True(File.Exists(file));

        // Restoring again never replaces the file (it may be the only good copy).
        var again = _box.Expect(2, "--config", config, "--job", "cluster", "restore", "latest");
        Assert.Contains("already exists; nothing was written", again.Stderr, StringComparison.Ordinal);

        var stdout = _box.Ok("restore", "latest", "--source", "etcd-main", "--to", "etcd:-");
        Assert.Equal(File.ReadAllBytes(file), stdout.StdoutBytes);
        Assert.Contains("restored snapshot", stdout.Stderr, StringComparison.Ordinal);

        var (etcd, endpoint) = EtcdPeer.StartFromSnapshot(file, _box.Path("member"));
        try
        {
            Assert.Equal(keys, KeysUnder(endpoint, _prefix));
        }
        finally
        {
            etcd.Kill(entireProcessTree: true);
            etcd.WaitForExit();
        }
    }

    [Fact]
    public void An_unreachable_etcd_fails_with_exit_9_one_line_and_no_snapshot()
    {
        int port = EtcdPeer.FreePort();
        var r = _box.Expect(9, "backup", $"etcd:http://127.0.0.1:{port}");
        Assert.Equal($"offsite: etcd source etcd:127.0.0.1:{port} (POST http://127.0.0.1:{port}/v3/maintenance/snapshot): connection refused (is the service running at this address?)", r.Stderr.Trim());
        Assert.Empty(_box.Json("snapshots").AsArray());
    }

    [Fact]
    public void A_snapshot_that_is_not_an_etcd_snapshot_is_refused_by_the_etcd_target()
    {
        File.WriteAllText(_box.Path("x.txt"), "hello");
        _box.RunWith(null, Encoding.UTF8.GetBytes("not an etcd snapshot"), "backup", "--stdin", "--stdin-name", "etcd.db");
        var r = _box.Expect(4, "restore", "latest", "--to", "etcd:" + _box.Dir.Sub("out"));
        Assert.Contains("not a database plus its SHA-256 trailer", r.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_box.Path("out")));
    }
}
