using System.Text.Json;
using Offsite.Core.Serialization;

namespace Offsite.Core.Trees;

/// <summary>
/// A tree blob's JSON (docs/format.md, "Trees"), written and read by hand. The bytes are those the
/// source-generated serializer wrote before (same field order, absent fields omitted, the same
/// escaping): a tree's blob id is a hash of them, so an unchanged directory must keep its bytes
/// across versions or every backup after an upgrade would store all trees again. A test holds
/// the two writers to the same output.
/// </summary>
public static class TreeJson
{
    public static byte[] Write(Tree tree)
    {
        return JsonWrite.ToArray(256 + (tree.Nodes.Count * 256), w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("nodes"u8);
            foreach (var n in tree.Nodes)
            {
                WriteNode(w, n);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <exception cref="FormatException">or <see cref="JsonException"/>, <see cref="InvalidOperationException"/>: malformed</exception>
    public static Tree Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        var tree = new Tree();
        JsonRead.Expect(ref reader, JsonTokenType.StartObject);
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("nodes"u8))
            {
                JsonRead.Expect(ref reader, JsonTokenType.StartArray);
                while (JsonRead.Next(ref reader) == JsonTokenType.StartObject)
                {
                    tree.Nodes.Add(ReadNode(ref reader));
                }
                JsonRead.Require(reader.TokenType == JsonTokenType.EndArray, "nodes");
            }
            else
            {
                JsonRead.SkipValue(ref reader);
            }
        }
        JsonRead.End(ref reader);
        return tree;
    }

    /// <summary>The type's name in the format (<c>file</c>, <c>dir</c>…).</summary>
    public static string TypeName(NodeType type) => type switch
    {
        NodeType.File => "file",
        NodeType.Directory => "dir",
        NodeType.Symlink => "symlink",
        NodeType.Fifo => "fifo",
        NodeType.Socket => "socket",
        NodeType.CharDevice => "chardev",
        NodeType.BlockDevice => "blockdev",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static void WriteNode(Utf8JsonWriter w, Node n)
    {
        w.WriteStartObject();
        if (n.Name is not null) w.WriteString("name"u8, n.Name);
        if (n.NameBytes is not null) w.WriteBase64String("nameBytes"u8, n.NameBytes);
        w.WriteString("type"u8, TypeName(n.Type));
        w.WriteNumber("mode"u8, n.Mode);
        w.WriteNumber("uid"u8, n.Uid);
        w.WriteNumber("gid"u8, n.Gid);
        if (n.User is not null) w.WriteString("user"u8, n.User);
        if (n.Group is not null) w.WriteString("group"u8, n.Group);
        w.WriteNumber("mtime"u8, n.MtimeNs);
        w.WriteNumber("size"u8, n.Size);
        if (n.Inode is { } inode) w.WriteNumber("inode"u8, inode);
        if (n.Device is { } device) w.WriteNumber("device"u8, device);
        if (n.Links is { } links) w.WriteNumber("links"u8, links);
        if (n.Rdev is { } rdev) w.WriteNumber("rdev"u8, rdev);
        if (n.LinkTarget is not null) w.WriteString("linkTarget"u8, n.LinkTarget);
        if (n.LinkTargetBytes is not null) w.WriteBase64String("linkTargetBytes"u8, n.LinkTargetBytes);
        if (n.Content is not null)
        {
            w.WriteStartArray("content"u8);
            foreach (var id in n.Content)
            {
                w.WriteStringValue(id);
            }
            w.WriteEndArray();
        }
        if (n.Subtree is not null) w.WriteString("subtree"u8, n.Subtree);
        if (n.Object is not null)
        {
            w.WritePropertyName("object"u8);
            WriteObject(w, n.Object);
        }
        w.WriteEndObject();
    }

    private static void WriteObject(Utf8JsonWriter w, ObjectMetadata o)
    {
        w.WriteStartObject();
        if (o.ETag is not null) w.WriteString("etag"u8, o.ETag);
        if (o.ContentType is not null) w.WriteString("contentType"u8, o.ContentType);
        if (o.CacheControl is not null) w.WriteString("cacheControl"u8, o.CacheControl);
        if (o.ContentEncoding is not null) w.WriteString("contentEncoding"u8, o.ContentEncoding);
        if (o.ContentDisposition is not null) w.WriteString("contentDisposition"u8, o.ContentDisposition);
        if (o.ContentLanguage is not null) w.WriteString("contentLanguage"u8, o.ContentLanguage);
        if (o.Expires is not null) w.WriteString("expires"u8, o.Expires);
        if (o.WebsiteRedirect is not null) w.WriteString("websiteRedirect"u8, o.WebsiteRedirect);
        if (o.StorageClass is not null) w.WriteString("storageClass"u8, o.StorageClass);
        if (o.VersionId is not null) w.WriteString("versionId"u8, o.VersionId);
        if (o.Latest is { } latest) w.WriteBoolean("latest"u8, latest);
        if (o.Parts is { } parts) w.WriteNumber("parts"u8, parts);
        if (o.UserMetadata is not null)
        {
            w.WriteStartObject("userMetadata"u8);
            foreach (var (name, value) in o.UserMetadata)
            {
                w.WriteString(name, value);
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static Node ReadNode(ref Utf8JsonReader reader)
    {
        var n = new Node();
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("name"u8)) n.Name = JsonRead.StringOrNull(ref reader, "name");
            else if (reader.ValueTextEquals("nameBytes"u8)) n.NameBytes = JsonRead.Base64OrNull(ref reader, "nameBytes");
            else if (reader.ValueTextEquals("type"u8)) n.Type = ReadType(ref reader);
            else if (reader.ValueTextEquals("mode"u8)) n.Mode = JsonRead.UInt32(ref reader, "mode");
            else if (reader.ValueTextEquals("uid"u8)) n.Uid = JsonRead.UInt32(ref reader, "uid");
            else if (reader.ValueTextEquals("gid"u8)) n.Gid = JsonRead.UInt32(ref reader, "gid");
            else if (reader.ValueTextEquals("user"u8)) n.User = JsonRead.StringOrNull(ref reader, "user");
            else if (reader.ValueTextEquals("group"u8)) n.Group = JsonRead.StringOrNull(ref reader, "group");
            else if (reader.ValueTextEquals("mtime"u8)) n.MtimeNs = JsonRead.Int64(ref reader, "mtime");
            else if (reader.ValueTextEquals("size"u8)) n.Size = JsonRead.Int64(ref reader, "size");
            else if (reader.ValueTextEquals("inode"u8)) n.Inode = JsonRead.UInt64OrNull(ref reader, "inode");
            else if (reader.ValueTextEquals("device"u8)) n.Device = JsonRead.UInt64OrNull(ref reader, "device");
            else if (reader.ValueTextEquals("links"u8)) n.Links = JsonRead.UInt64OrNull(ref reader, "links");
            else if (reader.ValueTextEquals("rdev"u8)) n.Rdev = JsonRead.UInt64OrNull(ref reader, "rdev");
            else if (reader.ValueTextEquals("linkTarget"u8)) n.LinkTarget = JsonRead.StringOrNull(ref reader, "linkTarget");
            else if (reader.ValueTextEquals("linkTargetBytes"u8)) n.LinkTargetBytes = JsonRead.Base64OrNull(ref reader, "linkTargetBytes");
            else if (reader.ValueTextEquals("content"u8)) n.Content = JsonRead.StringListOrNull(ref reader, "content");
            else if (reader.ValueTextEquals("subtree"u8)) n.Subtree = JsonRead.StringOrNull(ref reader, "subtree");
            else if (reader.ValueTextEquals("object"u8)) n.Object = JsonRead.StartObjectOrNull(ref reader, "object") ? ReadObject(ref reader) : null;
            else JsonRead.SkipValue(ref reader);
        }
        return n;
    }

    private static NodeType ReadType(ref Utf8JsonReader reader)
    {
        JsonRead.Next(ref reader);
        if (reader.TokenType == JsonTokenType.Number)
        {
            // The serializer's enum converter also accepted the number.
            int value = reader.GetInt32();
            JsonRead.Require(value is >= 0 and <= (int)NodeType.BlockDevice, "node type " + value);
            return (NodeType)value;
        }
        JsonRead.Require(reader.TokenType == JsonTokenType.String, "node type");
        if (reader.ValueTextEquals("file"u8)) return NodeType.File;
        if (reader.ValueTextEquals("dir"u8)) return NodeType.Directory;
        if (reader.ValueTextEquals("symlink"u8)) return NodeType.Symlink;
        if (reader.ValueTextEquals("fifo"u8)) return NodeType.Fifo;
        if (reader.ValueTextEquals("socket"u8)) return NodeType.Socket;
        if (reader.ValueTextEquals("chardev"u8)) return NodeType.CharDevice;
        if (reader.ValueTextEquals("blockdev"u8)) return NodeType.BlockDevice;
        throw new FormatException($"unknown node type '{reader.GetString()}'");
    }

    private static ObjectMetadata ReadObject(ref Utf8JsonReader reader)
    {
        var o = new ObjectMetadata();
        while (JsonRead.NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("etag"u8)) o.ETag = JsonRead.StringOrNull(ref reader, "etag");
            else if (reader.ValueTextEquals("contentType"u8)) o.ContentType = JsonRead.StringOrNull(ref reader, "contentType");
            else if (reader.ValueTextEquals("cacheControl"u8)) o.CacheControl = JsonRead.StringOrNull(ref reader, "cacheControl");
            else if (reader.ValueTextEquals("contentEncoding"u8)) o.ContentEncoding = JsonRead.StringOrNull(ref reader, "contentEncoding");
            else if (reader.ValueTextEquals("contentDisposition"u8)) o.ContentDisposition = JsonRead.StringOrNull(ref reader, "contentDisposition");
            else if (reader.ValueTextEquals("contentLanguage"u8)) o.ContentLanguage = JsonRead.StringOrNull(ref reader, "contentLanguage");
            else if (reader.ValueTextEquals("expires"u8)) o.Expires = JsonRead.StringOrNull(ref reader, "expires");
            else if (reader.ValueTextEquals("websiteRedirect"u8)) o.WebsiteRedirect = JsonRead.StringOrNull(ref reader, "websiteRedirect");
            else if (reader.ValueTextEquals("storageClass"u8)) o.StorageClass = JsonRead.StringOrNull(ref reader, "storageClass");
            else if (reader.ValueTextEquals("versionId"u8)) o.VersionId = JsonRead.StringOrNull(ref reader, "versionId");
            else if (reader.ValueTextEquals("latest"u8)) o.Latest = JsonRead.BooleanOrNull(ref reader, "latest");
            else if (reader.ValueTextEquals("parts"u8)) o.Parts = JsonRead.Int32OrNull(ref reader, "parts");
            else if (reader.ValueTextEquals("userMetadata"u8)) o.UserMetadata = ReadUserMetadata(ref reader);
            else JsonRead.SkipValue(ref reader);
        }
        return o;
    }

    private static SortedDictionary<string, string>? ReadUserMetadata(ref Utf8JsonReader reader)
    {
        if (!JsonRead.StartObjectOrNull(ref reader, "userMetadata"))
        {
            return null;
        }
        var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
        while (JsonRead.NextProperty(ref reader))
        {
            string name = reader.GetString()!;
            metadata[name] = JsonRead.String(ref reader, "userMetadata value");
        }
        return metadata;
    }
}
