using System.Collections.Concurrent;
using Offsite.Posix.Native;

namespace Offsite.Posix;

public static partial class PosixFs
{
    // A backup touches the same few owners millions of times and NSS lookups can hit the network,
    // so answers (including "no such account") are cached for the life of the process.
    private static readonly ConcurrentDictionary<uint, string?> s_userNames = new();
    private static readonly ConcurrentDictionary<uint, string?> s_groupNames = new();
    private static readonly ConcurrentDictionary<string, uint?> s_uids = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, uint?> s_gids = new(StringComparer.Ordinal);

    /// <summary>Whether the effective user is root, i.e. ownership and device nodes can be restored.</summary>
    public static bool IsRoot => LibC.geteuid() == 0;

    /// <summary>The user name for a uid, or null when the uid has no account.</summary>
    public static string? UserName(uint uid) =>
        Cached(s_userNames, uid, static key => (AccountDatabase.UserById(key, out var name, out _), name));

    /// <summary>The group name for a gid, or null when the gid has no group.</summary>
    public static string? GroupName(uint gid) =>
        Cached(s_groupNames, gid, static key => (AccountDatabase.GroupById(key, out var name, out _), name));

    /// <summary>The uid of a user name, or null when no such user exists.</summary>
    public static uint? LookupUid(string user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Cached(s_uids, user, static key =>
        {
            var outcome = AccountDatabase.UserByName(key, out _, out uint id);
            return (outcome, outcome == AccountDatabase.Outcome.Found ? id : (uint?)null);
        });
    }

    /// <summary>The gid of a group name, or null when no such group exists.</summary>
    public static uint? LookupGid(string group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return Cached(s_gids, group, static key =>
        {
            var outcome = AccountDatabase.GroupByName(key, out _, out uint id);
            return (outcome, outcome == AccountDatabase.Outcome.Found ? id : (uint?)null);
        });
    }

    /// <summary>Looks up through the cache; transient failures are answered as unknown but not remembered.</summary>
    private static TValue? Cached<TKey, TValue>(
        ConcurrentDictionary<TKey, TValue?> cache,
        TKey key,
        Func<TKey, (AccountDatabase.Outcome Outcome, TValue? Value)> query)
        where TKey : notnull
    {
        if (cache.TryGetValue(key, out var cached))
        {
            return cached;
        }
        var (outcome, value) = query(key);
        if (outcome != AccountDatabase.Outcome.Failed)
        {
            cache[key] = value;
        }
        return value;
    }
}
