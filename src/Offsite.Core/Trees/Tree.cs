using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Offsite.Core.Errors;

namespace Offsite.Core.Trees;

/// <summary>
/// One directory: its entries sorted by name bytes, stored as a tree blob (compact JSON).
/// Sorting makes identical directories produce identical blobs, which then dedup. <see cref="TreeJson"/>
/// reads and writes the JSON; the attributes name the fields for the tests that hold it to the format.
/// </summary>
public sealed class Tree
{
    [JsonPropertyName("nodes")] public List<Node> Nodes { get; set; } = new();

    public byte[] Serialize() => TreeJson.Write(this);

    public static Tree Parse(ReadOnlySpan<byte> json, string what)
    {
        try
        {
            return TreeJson.Read(json);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            throw new OffsiteException(ErrorKind.RepositoryDamaged, $"{what}: tree is not valid JSON ({e.Message})", e);
        }
    }
}

/// <summary>The kinds of directory entry a tree records.</summary>
public enum NodeType
{
    [JsonStringEnumMemberName("file")] File,
    [JsonStringEnumMemberName("dir")] Directory,
    [JsonStringEnumMemberName("symlink")] Symlink,
    [JsonStringEnumMemberName("fifo")] Fifo,
    [JsonStringEnumMemberName("socket")] Socket,
    [JsonStringEnumMemberName("chardev")] CharDevice,
    [JsonStringEnumMemberName("blockdev")] BlockDevice,
}

/// <summary>
/// One entry of a directory. Names and link targets are arbitrary bytes on POSIX: they are stored
/// as a JSON string when they are valid UTF-8, and as base64 in the <c>*Bytes</c> field otherwise.
/// </summary>
public sealed class Node
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("nameBytes")] public byte[]? NameBytes { get; set; }
    [JsonPropertyName("type")] public NodeType Type { get; set; }
    /// <summary>Permission bits including setuid, setgid and sticky (the low 12 bits of st_mode).</summary>
    [JsonPropertyName("mode")] public uint Mode { get; set; }
    [JsonPropertyName("uid")] public uint Uid { get; set; }
    [JsonPropertyName("gid")] public uint Gid { get; set; }
    [JsonPropertyName("user")] public string? User { get; set; }
    [JsonPropertyName("group")] public string? Group { get; set; }
    /// <summary>Modification time in nanoseconds since the Unix epoch.</summary>
    [JsonPropertyName("mtime")] public long MtimeNs { get; set; }
    [JsonPropertyName("size")] public long Size { get; set; }
    /// <summary>Set only for files with more than one link, to restore hard links.</summary>
    [JsonPropertyName("inode")] public ulong? Inode { get; set; }
    [JsonPropertyName("device")] public ulong? Device { get; set; }
    [JsonPropertyName("links")] public ulong? Links { get; set; }
    [JsonPropertyName("rdev")] public ulong? Rdev { get; set; }
    [JsonPropertyName("linkTarget")] public string? LinkTarget { get; set; }
    [JsonPropertyName("linkTargetBytes")] public byte[]? LinkTargetBytes { get; set; }
    /// <summary>Data blob ids of a file, in order.</summary>
    [JsonPropertyName("content")] public List<string>? Content { get; set; }
    /// <summary>Tree blob id of a directory.</summary>
    [JsonPropertyName("subtree")] public string? Subtree { get; set; }
    /// <summary>Object store metadata of a file backed up from a bucket (absent for local files).</summary>
    [JsonPropertyName("object")] public ObjectMetadata? Object { get; set; }

    [JsonIgnore]
    public byte[] RawName
    {
        get => NameBytes ?? Encoding.UTF8.GetBytes(Name ?? "");
        set => (Name, NameBytes) = Split(value);
    }

    [JsonIgnore]
    public byte[] RawLinkTarget
    {
        get => LinkTargetBytes ?? Encoding.UTF8.GetBytes(LinkTarget ?? "");
        set => (LinkTarget, LinkTargetBytes) = Split(value);
    }

    /// <summary>The name for display; invalid UTF-8 bytes shown as \xNN.</summary>
    [JsonIgnore]
    public string DisplayName => Name ?? Escape(NameBytes ?? []);

    private static (string?, byte[]?) Split(byte[] value)
    {
        try
        {
            return (StrictUtf8.GetString(value), null);
        }
        catch (DecoderFallbackException)
        {
            return (null, value);
        }
    }

    public static string Escape(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        int i = 0;
        while (i < bytes.Length)
        {
            // Decode the longest valid UTF-8 prefix; escape one byte when it is invalid.
            var status = System.Text.Rune.DecodeFromUtf8(bytes[i..], out var rune, out int consumed);
            if (status == System.Buffers.OperationStatus.Done)
            {
                sb.Append(rune.ToString());
                i += consumed;
            }
            else
            {
                sb.Append("\\x").Append(bytes[i].ToString("x2"));
                i++;
            }
        }
        return sb.ToString();
    }
}
