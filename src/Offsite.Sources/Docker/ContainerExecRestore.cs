using Docker.DotNet;
using Offsite.Core.Errors;

namespace Offsite.Sources.Docker;

/// <summary>
/// Feeds a dump into a restore command's standard input inside a running container (the exec
/// API). The command's standard output is read and dropped while the data is written, so a
/// chatty program cannot block; a non-zero exit is an error quoting its standard error.
/// </summary>
public static class ContainerExecRestore
{
    /// <param name="writeData">writes the whole dump to the stream it is given</param>
    public static async Task RunAsync(DockerEndpoint endpoint, string container, IReadOnlyList<string> argv, string? user,
        Func<Stream, CancellationToken, Task> writeData, CancellationToken ct)
    {
        string subject = $"docker container '{container}'";
        if (argv.Count == 0 || argv[0].Length == 0)
        {
            throw new OffsiteException(ErrorKind.Usage, $"{subject}: the restore command is empty (give the program and its arguments as a list)");
        }
        string program = Path.GetFileName(argv[0]);
        using DockerClient client = endpoint.Connect();
        string id = await ContainerExec.FindRunningAsync(client, endpoint, container, subject, ErrorKind.NotFound, ErrorKind.Io, ct).ConfigureAwait(false);
        ContainerExec exec;
        try
        {
            exec = await ContainerExec.StartAsync(client, id, argv, user, attachStdin: true, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (DockerFailure.IsDockerError(e))
        {
            throw DockerFailure.For($"{subject}: starting {program}", e, endpoint, ErrorKind.NotFound, ErrorKind.Io);
        }
        using (exec)
        {
            var drain = Task.Run(() => exec.DrainAsync(ct), ct);
            Exception? writeFailure = null;
            try
            {
                await writeData(new ExecInputStream(exec.Stream), ct).ConfigureAwait(false);
                exec.Stream.CloseWrite();
            }
            catch (IOException e)
            {
                // The program closed its input early: it stopped on an error, which its exit code and stderr tell.
                writeFailure = e;
            }
            long code;
            try
            {
                await drain.ConfigureAwait(false);
                code = await exec.ExitCodeAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (DockerFailure.IsDockerError(e))
            {
                throw DockerFailure.For($"{subject}: {program}", e, endpoint, ErrorKind.NotFound, ErrorKind.Io);
            }
            if (code != 0)
            {
                throw new OffsiteException(ErrorKind.SourceFailed, $"{subject}: restore failed: {exec.DescribeFailure(program, code)}");
            }
            if (writeFailure is not null)
            {
                throw new OffsiteException(ErrorKind.SourceFailed, $"{subject}: {program} exited with code 0 but stopped reading its input early ({writeFailure.Message}); the restore is incomplete", writeFailure);
            }
        }
    }

    /// <summary>A write-only stream into the command's standard input.</summary>
    private sealed class ExecInputStream(global::Docker.DotNet.MultiplexedStream stream) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => stream.WriteAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => stream.WriteAsync(buffer, offset, count, cancellationToken);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (System.Runtime.InteropServices.MemoryMarshal.TryGetArray(buffer, out var segment))
            {
                await stream.WriteAsync(segment.Array!, segment.Offset, segment.Count, cancellationToken).ConfigureAwait(false);
                return;
            }
            await stream.WriteAsync(buffer.ToArray(), 0, buffer.Length, cancellationToken).ConfigureAwait(false);
        }

        public override void Flush() { }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
