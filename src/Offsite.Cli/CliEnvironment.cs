using Microsoft.Extensions.Logging;
using Offsite.Core.Repository;

namespace Offsite.Cli;

/// <summary>
/// The process around the CLI: environment variables, the default cache directory, the runtime
/// context handed to Core (clock, host, user, cores) and the logger that prints warnings on stderr.
/// The only place the CLI reads the environment.
/// </summary>
public static class CliEnvironment
{
    public static string? Get(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    /// <summary>$OFFSITE_CACHE_DIR, else $XDG_CACHE_HOME/offsite, else ~/.cache/offsite.</summary>
    public static string DefaultCacheDirectory()
    {
        if (Get("OFFSITE_CACHE_DIR") is { } env) return env;
        string baseDir = Get("XDG_CACHE_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(baseDir, "offsite");
    }

    public static RuntimeContext Runtime { get; } = new(TimeProvider.System, Environment.MachineName, Environment.UserName, Environment.ProcessorCount, new StderrLogger())
    {
        // Tests lower the work factor of new keys; real repositories keep the default.
        ScryptLogN = int.TryParse(Get("OFFSITE_SCRYPT_LOG_N"), out int n) && n is >= 10 and <= 22 ? n : Core.Keys.KeyStore.DefaultScryptLogN,
    };

    /// <summary>Warnings and errors from Core and Storage as "warning: …" lines on stderr.</summary>
    private sealed class StderrLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Console.Error.WriteLine($"{(logLevel >= LogLevel.Error ? "error" : "warning")}: {formatter(state, exception)}");
            }
        }
    }
}
