using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Offsite.Core.Repository;

/// <summary>
/// What Core needs from the process it runs in, handed in by the front end instead of read from
/// globals: the clock (tests use a fake one), who and where we are (recorded in snapshots and key
/// notes), how many cores to use, the scrypt work factor for new keys, and where warnings go.
/// </summary>
public sealed record RuntimeContext(TimeProvider Clock, string HostName, string UserName, int Processors, ILogger Logger)
{
    /// <summary>scrypt work factor (log2 N) for keys created in this process.</summary>
    public int ScryptLogN { get; init; } = Keys.KeyStore.DefaultScryptLogN;

    /// <summary>Where scratch files go when there is no cache directory (the index's pack tables).</summary>
    public string TempDirectory { get; init; } = Path.GetTempPath();

    /// <summary>For tests and tools: the system clock, placeholder names, two workers, no logging.</summary>
    public static RuntimeContext Default { get; } = new(TimeProvider.System, "localhost", "offsite", 2, NullLogger.Instance);
}
