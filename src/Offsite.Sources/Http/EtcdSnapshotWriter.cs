using Offsite.Core.Errors;

namespace Offsite.Sources.Http;

/// <summary>
/// etcd's restore: etcd has no HTTP API to load a snapshot (a member is rebuilt from the file by
/// <c>etcdctl snapshot restore</c> and started on the new data directory), so the snapshot file is
/// written out, its SHA-256 trailer checked on the way, for that command to take.
/// </summary>
public static class EtcdSnapshotWriter
{
    /// <returns>the path written</returns>
    public static async Task<string> WriteAsync(SnapshotFile file, string destination, Func<Stream> standardOutput, CancellationToken cancellationToken)
    {
        string what = $"etcd restore of snapshot {file.Snapshot.Id[..8]} ({file.Snapshot.Source})";
        bool toStdout = destination == "-";
        string path = toStdout ? "-" : Directory.Exists(destination) ? Path.Combine(destination, file.Name) : destination;
        string partial = path + ".part";
        using var hash = new EtcdSnapshotHash();
        if (!toStdout && File.Exists(path))
        {
            // A file that exists is never replaced: it may be the only good copy.
            throw new OffsiteException(ErrorKind.Usage, $"{what}: {path} already exists; nothing was written");
        }
        Stream output;
        try
        {
            output = toStdout ? standardOutput() : new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OffsiteException(ErrorKind.Io, $"{what}: cannot create {partial}: {e.Message}", e);
        }
        bool done = false;
        try
        {
            await using (output.ConfigureAwait(false))
            {
                await file.CopyToAsync(new HashingStream(output, hash), cancellationToken).ConfigureAwait(false);
                await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (output is FileStream fs) fs.Flush(flushToDisk: true);
            }
            if (hash.Problem() is { } problem)
            {
                throw new OffsiteException(ErrorKind.RepositoryDamaged, $"{what}: {problem}; the file was not kept");
            }
            if (!toStdout) File.Move(partial, path);
            done = true;
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OffsiteException(ErrorKind.Io, $"{what}: writing {path}: {e.Message}", e);
        }
        finally
        {
            if (!done && !toStdout) File.Delete(partial);
        }
    }

    /// <summary>Passes writes through and feeds them to the trailer check.</summary>
    private sealed class HashingStream(Stream inner, EtcdSnapshotHash hash) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => hash.Total; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            hash.Append(buffer);
            inner.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            hash.Append(buffer.Span);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
