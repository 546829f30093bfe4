using System.Text;
using System.Text.Json;
using Offsite.Core.Content;
using Offsite.Core.Serialization;

namespace Offsite.Core.Cache;

/// <summary>
/// Per-repository local state that only ever saves work: copies of index objects and tree packs
/// (what every ls, diff and restore walk reads, as restic keeps them), a log of the
/// packs this host uploaded (the dedup index of a write-only host, and how a backup killed before
/// its index was written gets its packs reused), and the files cache that lets unchanged files
/// skip reading. Deleting the directory loses nothing but speed. Created 0700, files 0600.
/// </summary>
public sealed class LocalCache
{
    private const string PackLogName = "packs.log";
    private readonly Lock _logLock = new();

    private LocalCache(string? directory) => Directory = directory;

    /// <summary>The cache directory, or null when caching is off (everything still works).</summary>
    public string? Directory { get; }

    public static LocalCache Disabled { get; } = new(null);

    public static LocalCache Open(string baseDirectory, string repositoryId)
    {
        string dir = Path.Combine(baseDirectory, repositoryId);
        CreatePrivateDirectory(baseDirectory);
        CreatePrivateDirectory(dir);
        CreatePrivateDirectory(Path.Combine(dir, "index"));
        CreatePrivateDirectory(Path.Combine(dir, "packs"));
        CreatePrivateDirectory(Path.Combine(dir, "files"));
        return new LocalCache(dir);
    }

    // ---- index objects (stored encrypted, exactly as downloaded; ids are content hashes)

    public byte[]? TryReadIndex(string id) => TryRead("index", id);

    public void WriteIndex(string id, byte[] storedBytes) => Write("index", id, storedBytes);

    /// <summary>Caches an index object from a stream (sealed into a temporary file), read from its position to its end.</summary>
    public void WriteIndex(string id, Stream stored) => WriteFromStream("index", id, stored);

    /// <summary>Drops cached index objects that no longer exist in the repository.</summary>
    public void RetainIndexes(IReadOnlySet<string> existing) => Retain("index", existing);

    // ---- tree packs (stored encrypted, exactly as uploaded or downloaded; ids are content hashes)

    public byte[]? TryReadPack(string id) => TryRead("packs", id);

    /// <summary>
    /// Bytes [<paramref name="offset"/>, +<paramref name="length"/>) of the cached copy of pack
    /// <paramref name="id"/> (fewer at its end), or null when there is no copy. Unverified: the caller
    /// authenticates what it decrypts and falls back to the repository's copy when that fails.
    /// </summary>
    public byte[]? TryReadPackRange(string id, long offset, int length)
    {
        if (Directory is null)
        {
            return null;
        }
        try
        {
            using var file = File.OpenHandle(Path.Combine(Directory, "packs", id));
            int wanted = (int)Math.Clamp(RandomAccess.GetLength(file) - offset, 0, length);
            byte[] bytes = GC.AllocateUninitializedArray<byte>(wanted);
            int done = 0;
            while (done < wanted)
            {
                int n = RandomAccess.Read(file, bytes.AsSpan(done), offset + done);
                if (n == 0) return bytes[..done];
                done += n;
            }
            return bytes;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public bool HasPack(string id) => Directory is not null && File.Exists(Path.Combine(Directory, "packs", id));

    public void WritePack(string id, ReadOnlySpan<byte> storedBytes) => Write("packs", id, storedBytes);

    /// <summary>Caches a pack from a stream (a pack sealed into a temporary file), read from its position to its end.</summary>
    public void WritePack(string id, Stream stored) => WriteFromStream("packs", id, stored);

    /// <summary>Drops cached packs the repository's index no longer lists (pruned or expired).</summary>
    public void RetainPacks(IReadOnlySet<string> existing) => Retain("packs", existing);

    /// <summary>The cached copy of object <paramref name="id"/>, or null when there is none or it no longer hashes to its id.</summary>
    private byte[]? TryRead(string kind, string id)
    {
        if (Directory is null)
        {
            return null;
        }
        string path = Path.Combine(Directory, kind, id);
        if (!File.Exists(path))
        {
            return null;
        }
        byte[] stored = File.ReadAllBytes(path);
        return Repository.ObjectKeys.IdFor(stored) == id ? stored : null; // a damaged copy: the repository's is the truth
    }

    private void Write(string kind, string id, ReadOnlySpan<byte> storedBytes)
    {
        if (Directory is not null)
        {
            WriteAtomic(Path.Combine(Directory, kind, id), storedBytes);
        }
    }

    private void Retain(string kind, IReadOnlySet<string> existing)
    {
        string? dir = Directory is null ? null : Path.Combine(Directory, kind);
        if (dir is null || !System.IO.Directory.Exists(dir))
        {
            return;
        }
        foreach (string file in System.IO.Directory.EnumerateFiles(dir))
        {
            if (!existing.Contains(Path.GetFileName(file)))
            {
                File.Delete(file);
            }
        }
    }

    // ---- pack log: one JSON document per line; a torn last line (crash) is skipped

    public void AppendPack(PackInfo pack)
    {
        if (Directory is null)
        {
            return;
        }
        lock (_logLock)
        {
            using var fs = new FileStream(Path.Combine(Directory, PackLogName), AppendOptions);
            WritePackLine(fs, pack);
            fs.Flush(flushToDisk: true);
        }
    }

    /// <summary>
    /// A pack's line, written as it is encoded: a pack of small files lists tens of thousands of blobs,
    /// and the line as a string (with an object per blob) was megabytes of garbage per pack. Appended in
    /// 64 KiB writes rather than one: another process appending to the same cache at that moment can
    /// tear the line, which the reader skips, costing only the reuse of that pack (or an index written
    /// twice for it), as a crash mid-append does.
    /// </summary>
    private static void WritePackLine(Stream destination, PackInfo pack)
    {
        using (var w = new Utf8JsonWriter(destination))
        {
            w.WriteStartObject();
            w.WritePropertyName("pack"u8);
            IndexCodec.WritePack(w, pack);
            w.WriteEndObject();
        }
        destination.WriteByte((byte)'\n');
    }

    private static readonly FileStreamOptions AppendOptions = new()
    {
        Mode = FileMode.Append,
        Access = FileAccess.Write,
        UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        BufferSize = 64 * 1024,
    };

    public void AppendIndexed(string indexId, IEnumerable<string> packIds)
    {
        if (Directory is null)
        {
            return;
        }
        AppendLine(IndexedLine(indexId, packIds));
    }

    /// <summary>
    /// Packs this host uploaded, which of them some index written by this host covers, and how
    /// many lines the log has (to decide when rewriting it pays). Packs <paramref name="wanted"/>
    /// declines (those the repository's index objects already describe) are returned by id only:
    /// their blob tables are not read, which after a large backup would be the whole backup's index
    /// in memory at once (3 M blobs: ~200 MiB more at the peak of the next backup).
    /// </summary>
    public PackLog ReadPackLog(Func<string, bool>? wanted = null)
    {
        var log = new PackLog([], [], new HashSet<string>(StringComparer.Ordinal), 0);
        if (Directory is null)
        {
            return log;
        }
        string path = Path.Combine(Directory, PackLogName);
        if (!File.Exists(path))
        {
            return log;
        }
        int lines = 0;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan))
        {
            foreach (var line in new ByteLines(file))
            {
                lines++;
                ParsePackLogLine(line.Span, log, wanted);
            }
        }
        return log with { Lines = lines };
    }

    /// <summary>
    /// One line into <paramref name="packs"/> and <paramref name="indexed"/>, read straight from UTF-8 (a
    /// pack's line is megabytes for a pack of small files: as a string and a document of objects it
    /// was the peak of the next backup). A line torn by a crash mid-append is skipped: the pack it
    /// described is simply not reused.
    /// </summary>
    private static void ParsePackLogLine(ReadOnlySpan<byte> line, PackLog log, Func<string, bool>? wanted)
    {
        PackInfo? pack = null;
        var ids = new List<string>();
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("pack"u8) && reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    if (wanted is not null && LeadingId(reader) is { } id && !wanted(id))
                    {
                        log.Skipped.Add(id);
                        return;
                    }
                    pack = IndexCodec.ReadPack(ref reader);
                }
                else if (reader.ValueTextEquals("indexed"u8) && reader.Read() && reader.TokenType == JsonTokenType.StartArray)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.String)
                    {
                        ids.Add(reader.GetString()!);
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                return; // torn, or something after the object: not a whole line
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return;
        }
        if (pack is not null)
        {
            log.Packs.Add(pack);
        }
        log.Indexed.UnionWith(ids);
    }

    /// <summary>The pack's id when it is the pack object's first property (as this cache writes it); read from a copy of the reader.</summary>
    private static string? LeadingId(Utf8JsonReader probe) =>
        probe.Read() && probe.TokenType == JsonTokenType.PropertyName && probe.ValueTextEquals("id"u8)
            && probe.Read() && probe.TokenType == JsonTokenType.String
            ? probe.GetString()
            : null;

    /// <summary>
    /// Replaces the log with <paramref name="keep"/> and one line of which of them are indexed.
    /// A line another process appends between our read and this rewrite is lost; that only costs
    /// reuse of a pack its writer then failed to index (it would upload the data again).
    /// </summary>
    public void RewritePackLog(IEnumerable<PackInfo> keep, IReadOnlySet<string> indexed)
    {
        if (Directory is null)
        {
            return;
        }
        var kept = new List<string>();
        lock (_logLock)
        {
            WriteAtomic(Path.Combine(Directory, PackLogName), fs =>
            {
                foreach (var p in keep)
                {
                    WritePackLine(fs, p);
                    if (indexed.Contains(p.Id))
                    {
                        kept.Add(p.Id);
                    }
                }
                fs.Write(IndexedLine(null, kept));
            });
        }
    }

    /// <summary>Deletes the pack log: this host missed prune generations it can no longer learn of (docs/format.md).</summary>
    public void ClearPackLog()
    {
        if (Directory is null)
        {
            return;
        }
        lock (_logLock)
        {
            File.Delete(Path.Combine(Directory, PackLogName));
        }
    }

    // ---- prune generation this host has applied to its pack log (absent: 0, the safe default)

    public int PruneGeneration
    {
        get
        {
            string? path = Directory is null ? null : Path.Combine(Directory, "prune-generation");
            return path is not null && File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), System.Globalization.CultureInfo.InvariantCulture, out int g) ? g : 0;
        }
        set
        {
            if (Directory is not null)
            {
                WriteAtomic(Path.Combine(Directory, "prune-generation"), Encoding.ASCII.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }
    }

    // ---- files cache

    public string? FilesCachePath(string sourceKey) =>
        Directory is null ? null : Path.Combine(Directory, "files", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(sourceKey)))[..32]);

    // ---- preferred key (tried first, saves scrypt work when there are several keys)

    public string? PreferredKeyId
    {
        get
        {
            string? path = Directory is null ? null : Path.Combine(Directory, "key-hint");
            return path is not null && File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        set
        {
            if (Directory is not null && value is not null)
            {
                WriteAtomic(Path.Combine(Directory, "key-hint"), Encoding.ASCII.GetBytes(value));
            }
        }
    }

    private void AppendLine(byte[] line)
    {
        lock (_logLock)
        {
            using var fs = new FileStream(Path.Combine(Directory!, PackLogName), AppendOptions);
            fs.Write(line);
            fs.Flush(flushToDisk: true);
        }
    }

    /// <summary>A line <c>{"index":ID,"indexed":[pack ids]}</c> with its newline; without an index id when the log is rewritten.</summary>
    private static byte[] IndexedLine(string? indexId, IEnumerable<string> packIds)
    {
        byte[] json = JsonWrite.ToArray(256, w =>
        {
            w.WriteStartObject();
            if (indexId is not null) w.WriteString("index"u8, indexId);
            w.WriteStartArray("indexed"u8);
            foreach (var id in packIds)
            {
                w.WriteStringValue(id);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });
        return [.. json, (byte)'\n'];
    }

    public static void WriteAtomic(string path, ReadOnlySpan<byte> data)
    {
        string temp = path + ".tmp" + Guid.NewGuid().ToString("N");
        using (var fs = CreatePrivateFile(temp))
        {
            fs.Write(data);
            fs.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    private void WriteFromStream(string kind, string id, Stream stored)
    {
        if (Directory is not null)
        {
            WriteAtomic(Path.Combine(Directory, kind, id), fs => stored.CopyTo(fs, 256 * 1024));
        }
    }

    private static void WriteAtomic(string path, Action<FileStream> write)
    {
        string temp = path + ".tmp" + Guid.NewGuid().ToString("N");
        using (var fs = CreatePrivateFile(temp))
        {
            write(fs);
            fs.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    private static FileStream CreatePrivateFile(string path) =>
        new(path, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite });

    private static void CreatePrivateDirectory(string dir)
    {
        if (!System.IO.Directory.Exists(dir))
        {
            System.IO.Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}

/// <summary>The pack log as read: packs in full, packs skipped by id, packs marked indexed, lines.</summary>
public sealed record PackLog(List<PackInfo> Packs, List<string> Skipped, HashSet<string> Indexed, int Lines);
