using System.Diagnostics;
using Offsite.Core.Errors;
using Offsite.Core.Sources;
using Offsite.Posix;

namespace Offsite.Sources.Command;

/// <summary>
/// A program's standard output as one stream (<c>--stdin-from-command</c>, <c>type: command</c>).
/// The program's exit status is the verdict: non-zero means no snapshot.
/// </summary>
public sealed class CommandStreamSource : IStreamSource
{
    private readonly IReadOnlyList<string> _argv;
    private readonly string _sourceName;
    private readonly string _fileName;

    public CommandStreamSource(IReadOnlyList<string> argv, string? fileName = null, string? sourceName = null)
    {
        if (argv.Count == 0)
        {
            throw new OffsiteException(ErrorKind.Usage, "a command source needs a command (argv list)");
        }
        _argv = argv;
        _fileName = fileName ?? Path.GetFileName(argv[0]);
        _sourceName = sourceName ?? _fileName;
    }

    public Task<IReadOnlyList<IStreamItem>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<IStreamItem>>([new Item(this)]);

    private sealed class Item(CommandStreamSource source) : IStreamItem
    {
        public string SourceName => source._sourceName;
        public string FileName => source._fileName;
        public IReadOnlyList<string> Tags => [];

        public Task<SourceStream> OpenAsync(CancellationToken cancellationToken) =>
            Task.FromResult<SourceStream>(new Running(source._argv, cancellationToken));
    }

    private sealed class Running : SourceStream
    {
        private readonly Process _process;
        private readonly PipeInputStream _output;
        private readonly CancellationTokenRegistration _killOnCancel;
        private readonly string _program;

        public Running(IReadOnlyList<string> argv, CancellationToken cancellationToken)
        {
            _program = argv[0];
            var psi = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string a in argv.Skip(1)) psi.ArgumentList.Add(a);
            try
            {
                _process = Process.Start(psi) ?? throw new OffsiteException(ErrorKind.SourceFailed, $"could not start {argv[0]}");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new OffsiteException(ErrorKind.SourceFailed, $"could not start {argv[0]}: {e.Message}", e);
            }
            _output = PipeInputStream.OfStandardOutput(_process);
            _killOnCancel = cancellationToken.Register(() => _process.Kill(entireProcessTree: true));
        }

        public override Stream Content => _output;

        public override async Task CompleteAsync(CancellationToken cancellationToken)
        {
            await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            if (_process.ExitCode != 0)
            {
                throw new OffsiteException(ErrorKind.SourceFailed, $"{_program} exited with code {_process.ExitCode}; no snapshot was written");
            }
        }

        protected override async ValueTask DisposeAsyncCore()
        {
            await _killOnCancel.DisposeAsync().ConfigureAwait(false);
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            await _output.DisposeAsync().ConfigureAwait(false);
            _process.Dispose();
        }
    }
}
