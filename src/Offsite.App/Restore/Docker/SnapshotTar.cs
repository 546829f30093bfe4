using System.Formats.Tar;
using Offsite.Core.Content;
using Offsite.Core.Errors;
using Offsite.Core.Trees;

namespace Offsite.App.Restore.Docker;

/// <summary>
/// Writes a snapshot's tree as a tar stream (what the Engine API's archive endpoint unpacks into a
/// volume). Files are streamed blob by blob with a few loaded ahead; nothing is held whole.
/// Hard links are written as separate files.
/// </summary>
public static class SnapshotTar
{
    public static async Task<(long Files, long Directories, long Bytes)> WriteAsync(BlobLoader loader, string rootTree, Stream output, CancellationToken ct)
    {
        long files = 0, directories = 0, bytes = 0;
        await using var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await foreach (var (path, node) in new TreeWalker(loader).WalkAsync(rootTree, "", ct).ConfigureAwait(false))
        {
            string name = path.TrimStart('/');
            var entry = new PaxTarEntry(node.Type switch
            {
                NodeType.Directory => TarEntryType.Directory,
                NodeType.Symlink => TarEntryType.SymbolicLink,
                NodeType.Fifo => TarEntryType.Fifo,
                NodeType.CharDevice => TarEntryType.CharacterDevice,
                NodeType.BlockDevice => TarEntryType.BlockDevice,
                NodeType.Socket => TarEntryType.RegularFile, // tar has no sockets; skipped below
                _ => TarEntryType.RegularFile,
            }, node.Type == NodeType.Directory ? name + "/" : name)
            {
                Mode = (UnixFileMode)(node.Mode & 0xFFF),
                Uid = (int)node.Uid,
                Gid = (int)node.Gid,
                ModificationTime = DateTimeOffset.UnixEpoch.AddTicks(node.MtimeNs / 100),
            };
            if (node.User is { } user) entry.UserName = user;
            if (node.Group is { } group) entry.GroupName = group;
            switch (node.Type)
            {
                case NodeType.Socket:
                    continue; // sockets are made by the program that listens on them
                case NodeType.Directory:
                    directories++;
                    await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
                    break;
                case NodeType.Symlink:
                    entry.LinkName = node.LinkTarget ?? node.DisplayName;
                    await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
                    break;
                case NodeType.CharDevice or NodeType.BlockDevice:
                    ulong rdev = node.Rdev ?? 0;
                    entry.DeviceMajor = (int)(((rdev >> 32) & 0xfffff000) | ((rdev >> 8) & 0xfff));
                    entry.DeviceMinor = (int)(((rdev >> 12) & 0xffffff00) | (rdev & 0xff));
                    await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
                    break;
                case NodeType.File:
                    files++;
                    bytes += node.Size;
                    await using (var data = new BlobContentStream(loader, node.Content ?? [], node.Size, path, ct))
                    {
                        entry.DataStream = data;
                        await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
                        data.EnsureComplete();
                    }
                    break;
                default:
                    await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
                    break;
            }
        }
        return (files, directories, bytes);
    }

    /// <summary>
    /// A file's content read blob by blob (a few loaded ahead). It reports its length up front, as
    /// the tar header needs, and refuses to seek anywhere but where it is.
    /// </summary>
    private sealed class BlobContentStream(BlobLoader loader, IReadOnlyList<string> content, long length, string path, CancellationToken ct) : Stream
    {
        private const int Prefetch = ContentReader.DefaultPrefetch;
        private readonly Queue<Task<byte[]>> _pending = new();
        private int _next;
        private byte[] _current = [];
        private int _offset;
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => true; // for the length; Seek only accepts the current position
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => Seek(value, SeekOrigin.Begin); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_offset == _current.Length)
            {
                while (_next < content.Count && _pending.Count < Prefetch)
                {
                    var id = BlobId.Parse(content[_next++]);
                    _pending.Enqueue(Task.Run(() => loader.LoadAsync(id, ct), ct));
                }
                if (_pending.Count == 0) return 0;
                _current = await _pending.Dequeue().ConfigureAwait(false);
                _offset = 0;
            }
            int n = Math.Min(buffer.Length, _current.Length - _offset);
            _current.AsMemory(_offset, n).CopyTo(buffer);
            _offset += n;
            _position += n;
            if (_position > length)
            {
                throw new OffsiteException(ErrorKind.RepositoryDamaged, $"{path}: its content is longer than the size its tree records");
            }
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        /// <summary>The tar header promised <see cref="Length"/> bytes: a shorter content would corrupt the archive.</summary>
        public void EnsureComplete()
        {
            if (_position != length)
            {
                throw new OffsiteException(ErrorKind.RepositoryDamaged, $"{path}: its content has {_position} bytes, its tree records {length}");
            }
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            long target = origin switch { SeekOrigin.Begin => offset, SeekOrigin.Current => _position + offset, _ => length + offset };
            return target == _position ? _position : throw new NotSupportedException("content streams are read front to back");
        }

        public override void Flush() { }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            // Loads still in flight finish on their own; their results are dropped.
            _pending.Clear();
            base.Dispose(disposing);
        }
    }
}
