using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Offsite.Server.Tests.Doubles;

/// <summary>
/// A real server process (Offsite.Server.TestHost: ServerHost over test doubles) for the tests that need separate
/// processes: concurrency across processes, kill -9, SIGTERM.
/// </summary>
public sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServeProcess(Process process, string host)
    {
        _process = process;
        Host = host;
        _process.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Host { get; }
    public int Pid => _process.Id;
    public HttpClient Client { get; private set; } = null!;
    public string Output { get { lock (_output) { return _output.ToString(); } } }

    public static async Task<ServeProcess> StartAsync(string repo, string events, string host, string? schedule, double workSeconds, double graceSeconds, double leaseTtlSeconds)
    {
        string addressFile = Path.Combine(repo, $"address-{host}");
        string dll = Path.Combine(AppContext.BaseDirectory, "Offsite.Server.TestHost.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { dll, repo, events, addressFile, host, schedule ?? "-", F(workSeconds), F(graceSeconds), F(leaseTtlSeconds) })
        {
            psi.ArgumentList.Add(a);
        }
        var p = new ServeProcess(Process.Start(psi)!, host);
        await Jobs.Eventually(() => File.Exists(addressFile) || p._process.HasExited, $"server {host} listening", 30_000);
        if (p._process.HasExited)
        {
            throw new InvalidOperationException($"server {host} exited with {p._process.ExitCode}: {p.Output}");
        }
        p.Client = new HttpClient { BaseAddress = new Uri(await File.ReadAllTextAsync(addressFile)) };
        p.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "process-test-token");
        return p;
    }

    /// <summary>Sends SIGTERM, as systemd, Kubernetes and Nomad do to stop a service.</summary>
    public async Task SigtermAsync()
    {
        using Process kill = Process.Start("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
    }

    /// <summary>SIGKILL: no cleanup at all, the lease stays behind until it expires.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: false);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static string F(double v) => v.ToString(CultureInfo.InvariantCulture);
}
