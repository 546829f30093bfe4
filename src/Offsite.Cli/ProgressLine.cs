using Offsite.Core.Archiver;

namespace Offsite.Cli;

/// <summary>A one-line progress display on stderr, only when stderr is a terminal.</summary>
public sealed class ProgressLine : IDisposable
{
    private readonly Timer _timer;
    private readonly BackupProgress _progress;
    private readonly DateTime _start = DateTime.UtcNow;
    private bool _disposed;

    private ProgressLine(BackupProgress progress)
    {
        _progress = progress;
        _timer = new Timer(_ => Draw(), null, 500, 500);
    }

    public static ProgressLine? Start(GlobalSettings s, BackupProgress progress) =>
        s.Quiet || s.Json || Console.IsErrorRedirected ? null : new ProgressLine(progress);

    private void Draw()
    {
        double seconds = Math.Max(0.001, (DateTime.UtcNow - _start).TotalSeconds);
        lock (_timer)
        {
            if (_disposed) return;
            Console.Error.Write($"\r[{seconds:0}s] {_progress.Files} files, {Output.Bytes(_progress.Bytes)}, {Output.Bytes((long)(_progress.Bytes / seconds))}/s   ");
        }
    }

    public void Dispose()
    {
        lock (_timer)
        {
            if (_disposed) return;
            _disposed = true;
            Console.Error.Write("\r\u001b[K");
        }
        _timer.Dispose();
    }
}
