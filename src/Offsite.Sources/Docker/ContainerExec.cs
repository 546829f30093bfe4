using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Offsite.Core.Errors;

namespace Offsite.Sources.Docker;

/// <summary>
/// One program run inside a running container through the Engine API's exec endpoints (never the
/// docker CLI): its output arrives multiplexed on one connection, standard output for the caller,
/// standard error kept (its last few KiB) for the message when the program fails.
/// </summary>
internal sealed class ContainerExec : IDisposable
{
    private const int StderrKept = 4096;
    private readonly DockerClient _client;
    private readonly byte[] _stderr = new byte[StderrKept];
    private int _stderrLength;
    private bool _stderrTruncated;

    private ContainerExec(DockerClient client, string execId, MultiplexedStream stream)
    {
        _client = client;
        ExecId = execId;
        Stream = stream;
    }

    public string ExecId { get; }

    public MultiplexedStream Stream { get; }

    /// <summary>The container's id; a missing or stopped container is an error of <paramref name="missing"/> kind naming it.</summary>
    public static async Task<string> FindRunningAsync(DockerClient client, DockerEndpoint endpoint, string container, string subject, ErrorKind missing, ErrorKind other, CancellationToken ct)
    {
        ContainerInspectResponse inspected;
        try
        {
            inspected = await client.Containers.InspectContainerAsync(container, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (DockerFailure.IsDockerError(e))
        {
            throw DockerFailure.For(subject, e, endpoint, missing, other);
        }
        if (inspected.State is not { Running: true })
        {
            throw new OffsiteException(other, $"{subject}: the container is not running ({inspected.State?.Status ?? "unknown state"}); a command can only run in a running container");
        }
        return inspected.ID;
    }

    public static async Task<ContainerExec> StartAsync(DockerClient client, string containerId, IReadOnlyList<string> argv, string? user, bool attachStdin, CancellationToken ct)
    {
        var created = await client.Exec.CreateContainerExecAsync(containerId, new ContainerExecCreateParameters
        {
            Cmd = [.. argv],
            User = user ?? "",
            AttachStdin = attachStdin,
            AttachStdout = true,
            AttachStderr = true,
        }, ct).ConfigureAwait(false);
        var stream = await client.Exec.StartContainerExecAsync(created.ID, new ContainerExecStartParameters(), ct).ConfigureAwait(false);
        return new ContainerExec(client, created.ID, stream);
    }

    /// <summary>
    /// Reads output until <paramref name="buffer"/> has standard-output bytes or the output ended (0).
    /// Standard-error bytes go to the kept tail.
    /// </summary>
    public async Task<int> ReadStdoutAsync(byte[] buffer, int offset, int count, CancellationToken ct)
    {
        while (true)
        {
            var r = await Stream.ReadOutputAsync(buffer, offset, count, ct).ConfigureAwait(false);
            if (r.EOF) return 0;
            if (r.Target == MultiplexedStream.TargetStream.StandardError)
            {
                KeepStderr(buffer.AsSpan(offset, r.Count));
                continue;
            }
            return r.Count;
        }
    }

    /// <summary>Reads the remaining output to its end, keeping only standard error's tail.</summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        byte[] buffer = new byte[16384];
        while (await ReadStdoutAsync(buffer, 0, buffer.Length, ct).ConfigureAwait(false) > 0)
        {
            // standard output of a restore command is not wanted
        }
    }

    private void KeepStderr(ReadOnlySpan<byte> data)
    {
        if (data.Length >= StderrKept)
        {
            data[^StderrKept..].CopyTo(_stderr);
            _stderrLength = StderrKept;
            _stderrTruncated = true;
            return;
        }
        int overflow = _stderrLength + data.Length - StderrKept;
        if (overflow > 0)
        {
            _stderr.AsSpan(overflow, _stderrLength - overflow).CopyTo(_stderr);
            _stderrLength -= overflow;
            _stderrTruncated = true;
        }
        data.CopyTo(_stderr.AsSpan(_stderrLength));
        _stderrLength += data.Length;
    }

    /// <summary>Standard error's last lines, trimmed, on one line ("" when it wrote nothing).</summary>
    public string Stderr
    {
        get
        {
            string text = Encoding.UTF8.GetString(_stderr, 0, _stderrLength).Trim();
            text = string.Join(" / ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            return _stderrTruncated ? "…" + text : text;
        }
    }

    /// <summary>The program's exit code, once the daemon has recorded it (shortly after the output ended).</summary>
    public async Task<long> ExitCodeAsync(CancellationToken ct)
    {
        for (int attempt = 0; ; attempt++)
        {
            var inspected = await _client.Exec.InspectContainerExecAsync(ExecId, ct).ConfigureAwait(false);
            if (!inspected.Running && inspected.ExitCode is { } code) return code;
            if (attempt >= 200)
            {
                throw new OffsiteException(ErrorKind.SourceFailed, "the command's output ended but the daemon reports it still running after 10 s");
            }
            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    /// <summary>"exited with code 2: pg_dump: error: …" for messages.</summary>
    public string DescribeFailure(string program, long code) =>
        $"{program} exited with code {code}" + (Stderr.Length > 0 ? ": " + Stderr : "");

    public void Dispose() => Stream.Dispose();
}
