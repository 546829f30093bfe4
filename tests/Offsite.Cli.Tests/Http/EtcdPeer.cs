using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Offsite.Cli.Tests.Http;

/// <summary>
/// The shared etcd 3.4 test peer named by OFFSITE_TEST_ETCD (scripts/peers.sh), driven with the
/// real etcdctl. Endpoints go through ETCDCTL_ENDPOINTS: etcdctl 3.4 refuses a flag that a variable also sets.
/// </summary>
internal static class EtcdPeer
{
    public const string Variable = "OFFSITE_TEST_ETCD";
    public const string Etcdctl = "/usr/bin/etcdctl";
    public const string Etcd = "/usr/bin/etcd";

    public static string Endpoint => Environment.GetEnvironmentVariable(Variable) ?? throw new InvalidOperationException($"{Variable} is not set");

    public static ProcResult CtlAt(string endpoint, params string[] args)
    {
        var env = new Dictionary<string, string?> { ["ETCDCTL_API"] = "3", ["ETCDCTL_ENDPOINTS"] = endpoint, ["ETCDCTL_COMMAND_TIMEOUT"] = "20s" };
        var r = ProcRunner.Run(Proc.Require(Etcdctl), args, env);
        Assert.True(r.ExitCode == 0, $"etcdctl {string.Join(' ', args)} failed: {r}");
        return r;
    }

    public static ProcResult Ctl(params string[] args) => CtlAt(Endpoint, args);

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>
    /// Rebuilds a member from a snapshot file with <c>etcdctl snapshot restore</c>, starts etcd on it
    /// (loopback ports of its own) and returns the running process and its client URL.
    /// </summary>
    public static (Process Process, string Endpoint) StartFromSnapshot(string snapshotFile, string dataDir)
    {
        int client = FreePort(), peer = FreePort();
        string peerUrl = $"http://127.0.0.1:{peer}", clientUrl = $"http://127.0.0.1:{client}";
        CtlAt(Endpoint, "snapshot", "restore", snapshotFile, "--data-dir", dataDir, "--name", "restored",
            "--initial-cluster", $"restored={peerUrl}", "--initial-advertise-peer-urls", peerUrl);
        var etcd = ProcRunner.Start(Proc.Require(Etcd),
            ["--name", "restored", "--data-dir", dataDir, "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
             "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl, "--initial-cluster", $"restored={peerUrl}"],
            new Dictionary<string, string?> { ["ETCDCTL_ENDPOINTS"] = null, ["ETCD_NAME"] = null });
        etcd.StandardInput.Close();
        etcd.OutputDataReceived += (_, _) => { };
        etcd.ErrorDataReceived += (_, _) => { };
        etcd.BeginOutputReadLine();
        etcd.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var env = new Dictionary<string, string?> { ["ETCDCTL_API"] = "3", ["ETCDCTL_ENDPOINTS"] = clientUrl, ["ETCDCTL_COMMAND_TIMEOUT"] = "2s" };
            if (ProcRunner.Run(Etcdctl, ["endpoint", "health"], env).ExitCode == 0) break;
            Assert.True(DateTime.UtcNow < deadline && !etcd.HasExited, "the etcd restored from the snapshot did not become healthy");
            Thread.Sleep(200);
        }
        return (etcd, clientUrl);
    }
}

/// <summary>A test that needs the etcd peer: skipped only when OFFSITE_TEST_ETCD is not set at all.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class EtcdFactAttribute : FactAttribute
{
    public EtcdFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(EtcdPeer.Variable)))
        {
            Skip = $"{EtcdPeer.Variable} is not set: eval \"$(bash scripts/peers.sh env)\" first";
        }
    }
}
