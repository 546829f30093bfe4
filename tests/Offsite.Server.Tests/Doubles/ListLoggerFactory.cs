using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Offsite.Server.Tests.Doubles;

/// <summary>Keeps every log line (category, level, formatted message and structured fields) for assertions.</summary>
public sealed class ListLoggerFactory : ILoggerFactory, ILoggerProvider
{
    public ConcurrentQueue<LogLine> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new ListLogger(this, categoryName);
    public void AddProvider(ILoggerProvider provider) { }
    public void Dispose() { }

    public string All => string.Join('\n', Lines.Select(l => $"{l.Level} {l.Category}: {l.Message} {string.Join(' ', l.Fields.Select(f => $"{f.Key}={f.Value}"))}"));

    public sealed record LogLine(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Fields);

    private sealed class ListLogger(ListLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = new Dictionary<string, object?>();
            if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
            {
                foreach (var p in pairs)
                {
                    fields[p.Key] = p.Value;
                }
            }
            owner.Lines.Enqueue(new LogLine(category, logLevel, formatter(state, exception), fields));
        }
    }
}
