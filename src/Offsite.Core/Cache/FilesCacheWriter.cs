using System.Text;
using Offsite.Core.Content;

namespace Offsite.Core.Cache;

/// <summary>
/// This run's files cache, appended to a temporary file as the archiver visits files and put in
/// place by <see cref="Commit"/> once the snapshot is written (a failed run leaves the previous
/// cache as it was). Entries arrive in walk order (<see cref="FilesCache.CompareInWalkOrder"/>); one
/// that does not (a source whose names sort differently from its keys) is kept in memory and written
/// to a trailer that the next run loads whole: out-of-order keys cost memory, never a re-read.
/// </summary>
public sealed class FilesCacheWriter : IDisposable
{
    private readonly string? _path;
    private readonly string? _temporary;
    private readonly BinaryWriter? _writer;
    private string? _last;
    private readonly List<(string Key, FilesCache.Entry Entry)> _unordered = new();
    private bool _committed;

    private FilesCacheWriter(string? path)
    {
        _path = path;
        if (path is null) return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _temporary = path + ".tmp" + Guid.NewGuid().ToString("N");
        // 0600 like the rest of the cache: paths and sizes of the backed-up files are not for other users.
        var stream = new FileStream(_temporary, new FileStreamOptions
        {
            Mode = FileMode.Create, Access = FileAccess.Write, BufferSize = 64 * 1024,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        _writer = new BinaryWriter(stream, Encoding.UTF8);
        _writer.Write(FilesCache.Magic);
        _writer.Write(0L); // the trailer's offset, set by Commit when there is one
    }

    /// <summary>A writer to <paramref name="path"/>; null writes nothing (no cache directory).</summary>
    public static FilesCacheWriter Create(string? path) => new(path);

    public long Count { get; private set; }

    public void Add(string key, FilesCache.Entry entry)
    {
        if (_writer is null) return;
        Count++;
        if (_last is not null && FilesCache.CompareInWalkOrder(_last, key) >= 0)
        {
            _unordered.Add((key, entry));
            return;
        }
        _last = key;
        WriteRecord(_writer, key, entry);
    }

    internal static void WriteRecord(BinaryWriter writer, string key, FilesCache.Entry entry)
    {
        writer.Write(key);
        writer.Write(entry.MtimeNs);
        writer.Write(entry.CtimeNs);
        writer.Write(entry.Size);
        writer.Write(entry.Inode);
        writer.Write7BitEncodedInt(entry.Content.Length);
        Span<byte> id = stackalloc byte[BlobId.Size];
        foreach (var blob in entry.Content)
        {
            blob.WriteTo(id);
            writer.Write(id);
        }
    }

    /// <summary>Flushes the file to disk and puts it in place of the previous one.</summary>
    public void Commit()
    {
        if (_writer is null || _committed) return;
        if (_unordered.Count > 0)
        {
            long trailer = _writer.BaseStream.Position;
            _writer.Write(_unordered.Count);
            foreach (var (key, entry) in _unordered) WriteRecord(_writer, key, entry);
            _writer.Seek(sizeof(uint), SeekOrigin.Begin);
            _writer.Write(trailer);
        }
        _writer.Flush();
        ((FileStream)_writer.BaseStream).Flush(flushToDisk: true);
        _writer.Dispose();
        File.Move(_temporary!, _path!, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        if (_writer is null || _committed) return;
        _writer.Dispose();
        File.Delete(_temporary!);
    }
}
