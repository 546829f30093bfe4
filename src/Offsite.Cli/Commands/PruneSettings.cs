using System.CommandLine;
using System.Globalization;
using Offsite.Core.Errors;
using Offsite.Core.Locking;
using Offsite.Core.Prune;
using Offsite.Core.Repository;

namespace Offsite.Cli.Commands;

/// <summary>The prune options shared by `prune` and `forget --prune`, their parsing, and running a prune under the lock.</summary>
public sealed class PruneSettings
{
    public Option<string> MaxUnused { get; } = new("--max-unused") { Description = "unused space tolerated in partly used packs, as a percentage of the used data, or 'unlimited' (default 10%)", DefaultValueFactory = _ => "10%" };
    public Option<string?> MaxRepackSize { get; } = new("--max-repack-size") { Description = "repack at most this much per run (e.g. 2G; suffixes K, M, G, T)" };
    public Option<string> Grace { get; } = new("--grace") { Description = "time between condemning packs and deleting them; must exceed your longest backup's commit (default 1h; e.g. 90s, 30m, 6h, 1d)", DefaultValueFactory = _ => "1h" };
    public Option<bool> Wait { get; } = new("--wait") { Description = "wait out the grace period and delete in this run (holds the prune lock meanwhile)" };

    public void AddTo(Command command)
    {
        command.Options.Add(MaxUnused);
        command.Options.Add(MaxRepackSize);
        command.Options.Add(Grace);
        command.Options.Add(Wait);
    }

    public PruneOptions ToOptions(ParseResult r, bool dryRun, IProgress<string>? progress) => new()
    {
        MaxUnused = ParsePercent(r.GetValue(MaxUnused)!),
        MaxRepackSize = r.GetValue(MaxRepackSize) is { } size ? ParseSize(size) : null,
        Grace = ParseSpan(r.GetValue(Grace)!),
        Wait = r.GetValue(Wait),
        DryRun = dryRun,
        Progress = progress,
        // Tests of the real binary shorten the grace to seconds; nothing else should set this.
        MinimumGrace = int.TryParse(Environment.GetEnvironmentVariable("OFFSITE_TEST_MIN_GRACE_SECONDS"), out int seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds) : PruneState.MinimumGrace,
    };

    /// <summary>Runs a prune; a real one under the exclusive prune lock (kept alive while it runs).</summary>
    public static Task<PruneReport> RunAsync(Repository repo, PruneOptions options, CancellationToken ct) =>
        Offsite.App.Retention.RetentionService.PruneAsync(repo, options, Environment.ProcessId, ct);

    /// <summary>Takes `locks/prune`; a holder is reported with exit code 11 and its expiry.</summary>
    public static Task<RepositoryLock> AcquireAsync(Repository repo, CancellationToken ct) =>
        Offsite.App.Retention.RetentionService.AcquireAsync(repo, Environment.ProcessId, ct);

    public static double ParsePercent(string text)
    {
        if (text.Equals("unlimited", StringComparison.OrdinalIgnoreCase))
        {
            return double.PositiveInfinity;
        }
        if (text.EndsWith('%') && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double p) && p >= 0)
        {
            return p / 100;
        }
        throw new OffsiteException(ErrorKind.Usage, $"--max-unused: '{text}' is not a percentage like 10% (or 'unlimited')");
    }

    public static long ParseSize(string text)
    {
        string t = text.Trim().ToUpperInvariant().TrimEnd('B');
        long unit = t.Length > 0 ? t[^1] switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, 'T' => 1L << 40, _ => 1 } : 1;
        if (unit > 1) t = t[..^1];
        if (long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n >= 0 && n <= long.MaxValue / unit)
        {
            return n * unit;
        }
        throw new OffsiteException(ErrorKind.Usage, $"'{text}' is not a size like 500M or 2G");
    }

    /// <summary>An absolute time span: 90s, 30m, 6h, 1d (or combined, 1h30m).</summary>
    public static TimeSpan ParseSpan(string text)
    {
        TimeSpan total = TimeSpan.Zero;
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsAsciiDigit(text[i])) continue;
            if (i == start || !long.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n > 100_000_000)
            {
                throw new OffsiteException(ErrorKind.Usage, $"'{text}' is not a duration like 90s, 30m, 6h or 1d");
            }
            total += text[i] switch
            {
                's' => TimeSpan.FromSeconds(n),
                'm' => TimeSpan.FromMinutes(n),
                'h' => TimeSpan.FromHours(n),
                'd' => TimeSpan.FromDays(n),
                _ => throw new OffsiteException(ErrorKind.Usage, $"'{text}' is not a duration like 90s, 30m, 6h or 1d"),
            };
            start = i + 1;
        }
        if (start != text.Length || total <= TimeSpan.Zero)
        {
            throw new OffsiteException(ErrorKind.Usage, $"'{text}' is not a positive duration like 90s, 30m, 6h or 1d");
        }
        return total;
    }
}
