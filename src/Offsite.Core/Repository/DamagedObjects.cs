using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Offsite.Core.Errors;

namespace Offsite.Core.Repository;

/// <summary>
/// Objects a command found damaged and stepped over instead of failing: a truncated snapshot, index
/// or key object must cost only what depends on it. Thread-safe (objects are read in parallel).
/// </summary>
public sealed class DamagedObjects
{
    private readonly ConcurrentDictionary<string, string> _byKey = new(StringComparer.Ordinal);

    /// <summary>Object key → why it cannot be read.</summary>
    public IReadOnlyDictionary<string, string> ByKey => _byKey;

    public bool IsEmpty => _byKey.IsEmpty;

    /// <summary>The damaged snapshots/ object whose id starts with <paramref name="idPrefix"/>, if any.</summary>
    public (string Key, string Reason)? FindSnapshot(string idPrefix) =>
        _byKey.Where(kv => kv.Key.StartsWith(ObjectKeys.SnapshotsPrefix + idPrefix, StringComparison.Ordinal))
            .Select(kv => ((string, string)?)(kv.Key, kv.Value)).FirstOrDefault();

    /// <summary>Records a damaged object and warns once, saying what the command does instead.</summary>
    public void Add(string key, string reason, ILogger logger, string consequence)
    {
        if (_byKey.TryAdd(key, reason))
        {
            logger.LogWarning("{Reason}; {Consequence} (`offsite check` reports it)", reason, consequence);
        }
    }

    /// <summary>
    /// True for damage confined to one object: it fails authentication, is truncated, is not JSON, or
    /// is encrypted to a foreign key (a whole-repository wrong key is refused when the repository opens).
    /// </summary>
    public static bool IsObjectDamage(OffsiteException e) => e.Kind is ErrorKind.RepositoryDamaged or ErrorKind.WrongKey;
}
