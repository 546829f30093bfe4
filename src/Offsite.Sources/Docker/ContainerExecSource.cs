using Docker.DotNet;
using Offsite.Core.Errors;
using Offsite.Core.Sources;

namespace Offsite.Sources.Docker;

/// <summary>
/// A dump taken inside a running container (source <c>docker-exec:CONTAINER</c>): the backup command
/// runs through the exec API and its standard output is the snapshot's one file. A non-zero exit
/// fails the stream with the command's standard error, so no snapshot is written. Containers
/// selected by <see cref="StopSelection"/> (never the one the command runs in) are stopped while
/// it runs and started again before the verdict, or on dispose when the backup failed earlier.
/// </summary>
public sealed class ContainerExecSource : IStreamSource, IStreamItem
{
    private readonly DockerEndpoint _endpoint;
    private readonly string _container;
    private readonly IReadOnlyList<string> _argv;
    private readonly string? _user;
    private readonly StopSelection _stop;

    public ContainerExecSource(DockerEndpoint endpoint, string container, IReadOnlyList<string> argv, string? user, string? fileName, string? sourceName, StopSelection stop)
    {
        if (argv.Count == 0 || argv[0].Length == 0)
        {
            throw new OffsiteException(ErrorKind.Usage, $"docker container '{container}': the backup command is empty (give the program and its arguments as a list)");
        }
        _endpoint = endpoint;
        _container = container;
        _argv = argv;
        _user = user;
        _stop = stop;
        FileName = fileName ?? $"{container}-{Path.GetFileName(argv[0])}.out";
        SourceName = sourceName ?? "docker-exec:" + container;
    }

    public string SourceName { get; }

    public string FileName { get; }

    public IReadOnlyList<string> Tags => ["docker"];

    private string Subject => $"docker container '{_container}'";

    /// <summary>The program only: arguments may carry passwords and never appear in messages.</summary>
    private string Program => Path.GetFileName(_argv[0]);

    public Task<IReadOnlyList<IStreamItem>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<IStreamItem>>([this]);

    public async Task<SourceStream> OpenAsync(CancellationToken cancellationToken)
    {
        var client = _endpoint.Connect();
        StoppedContainers? stopped = null;
        try
        {
            string id = await ContainerExec.FindRunningAsync(client, _endpoint, _container, Subject, ErrorKind.SourceFailed, ErrorKind.SourceFailed, cancellationToken).ConfigureAwait(false);
            stopped = await ContainerStopper.StopAsync(client, _endpoint, _stop, id, Subject, cancellationToken).ConfigureAwait(false);
            var exec = await ContainerExec.StartAsync(client, id, _argv, _user, attachStdin: false, cancellationToken).ConfigureAwait(false);
            return new Running(this, client, exec, stopped);
        }
        catch (Exception e) when (DockerFailure.IsDockerError(e) || e is OffsiteException or OperationCanceledException)
        {
            var problems = stopped is null ? [] : await stopped.RestartAsync().ConfigureAwait(false);
            client.Dispose();
            if (e is OperationCanceledException) throw;
            var error = DockerFailure.For($"{Subject}: starting {Program}", e, _endpoint, ErrorKind.SourceFailed, ErrorKind.SourceFailed);
            throw problems.Count == 0 ? error : new OffsiteException(ErrorKind.SourceFailed, error.Message + "; " + string.Join("; ", problems), e);
        }
    }

    private sealed class Running(ContainerExecSource source, DockerClient client, ContainerExec exec, StoppedContainers stopped) : SourceStream
    {
        private readonly ExecOutputStream _output = new(exec);

        public override Stream Content => _output;

        public override async Task CompleteAsync(CancellationToken cancellationToken)
        {
            long code;
            try
            {
                await exec.DrainAsync(cancellationToken).ConfigureAwait(false);
                code = await exec.ExitCodeAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (DockerFailure.IsDockerError(e))
            {
                throw DockerFailure.For($"{source.Subject}: {source.Program}", e, source._endpoint, ErrorKind.SourceFailed, ErrorKind.SourceFailed);
            }
            // Services come back before the verdict: a failed restart fails the backup too.
            var problems = await stopped.RestartAsync().ConfigureAwait(false);
            if (code != 0)
            {
                string restart = problems.Count == 0 ? "" : "; " + string.Join("; ", problems);
                throw new OffsiteException(ErrorKind.SourceFailed, $"{source.Subject}: {exec.DescribeFailure(source.Program, code)}; no snapshot was written{restart}");
            }
            if (problems.Count > 0)
            {
                throw new OffsiteException(ErrorKind.SourceFailed, string.Join("; ", problems) + "; no snapshot was written");
            }
        }

        protected override async ValueTask DisposeAsyncCore()
        {
            // Ending the connection ends the command's output (it gets SIGPIPE on its next write).
            exec.Dispose();
            await stopped.RestartAsync().ConfigureAwait(false); // no-op after CompleteAsync; after a failure, the containers come back
            client.Dispose();
        }
    }

    /// <summary>The command's standard output as a read-only stream.</summary>
    private sealed class ExecOutputStream(ContainerExec exec) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => exec.ReadStdoutAsync(buffer, offset, count, cancellationToken);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(buffer, out var segment))
            {
                return await exec.ReadStdoutAsync(segment.Array!, segment.Offset, segment.Count, cancellationToken).ConfigureAwait(false);
            }
            byte[] temp = new byte[buffer.Length];
            int n = await exec.ReadStdoutAsync(temp, 0, temp.Length, cancellationToken).ConfigureAwait(false);
            temp.AsMemory(0, n).CopyTo(buffer);
            return n;
        }

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
