namespace Offsite.Core.Repository;

/// <summary>Where each kind of object lives in storage (docs/format.md, "Layout").</summary>
public static class ObjectKeys
{
    public const string Config = "config";
    public const string KeysPrefix = "keys/";
    public const string PacksPrefix = "packs/";
    public const string IndexPrefix = "index/";
    public const string SnapshotsPrefix = "snapshots/";
    public const string LocksPrefix = "locks/";

    /// <summary>Packs are fanned out by the first two hex digits so no directory holds too many.</summary>
    public static string Pack(string id) => $"{PacksPrefix}{id[..2]}/{id}";
    public static string Index(string id) => IndexPrefix + id;
    public static string Snapshot(string id) => SnapshotsPrefix + id;
    public static string Key(string id) => KeysPrefix + id;

    /// <summary>The id part of a key: the last path segment.</summary>
    public static string IdOf(string key) => key[(key.LastIndexOf('/') + 1)..];

    /// <summary>Object ids are the lowercase hex SHA-256 of the stored bytes.</summary>
    public static string IdFor(ReadOnlySpan<byte> storedBytes) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(storedBytes));
}
