using System.Runtime.CompilerServices;
using Offsite.Core.Storage;

namespace Offsite.Storage.Local;

/// <summary>
/// A repository in a local directory. Objects are written to a temporary file in the target
/// directory, flushed to disk and renamed into place, so a crash never leaves a partial object
/// under its final name. Files are 0600 and directories 0700: the repository is private by default.
/// </summary>
public sealed class LocalStorage : IStorage, IAdoptsFiles
{
    private const string TempSuffix = ".tmp";
    private static readonly TimeSpan StaleTemporaryAge = TimeSpan.FromHours(1);
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    /// <summary>Copy buffer of a streamed put: large enough for few system calls, small enough not to matter.</summary>
    private const int CopyBufferSize = 256 * 1024;
    private readonly string _root;

    /// <summary>The clock that ages temporaries left by killed writers.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public LocalStorage(string root)
    {
        _root = Path.GetFullPath(root);
    }

    public string Location => _root;

    public async Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        string path = PathOf(key);
        string temp = await WriteTempAsync(path, data, cancellationToken).ConfigureAwait(false);
        Wrap(key, () => File.Move(temp, path, overwrite: true));
    }

    /// <summary>The repository's root: unnamed files made there are on its file system (<see cref="TryAdopt"/>).</summary>
    public string ScratchDirectory => _root;

    public async Task PutAsync(string key, Stream data, CancellationToken cancellationToken)
    {
        string path = PathOf(key);
        if (TryAdopt(key, path, data))
        {
            return;
        }
        string temp = await WriteTempAsync(path, data.Length - data.Position,
            (fs, ct) => data.CopyToAsync(fs, CopyBufferSize, ct), cancellationToken).ConfigureAwait(false);
        Wrap(key, () => File.Move(temp, path, overwrite: true));
    }

    public Task PutDataPackAsync(string key, Stream data, CancellationToken cancellationToken) => PutAsync(key, data, cancellationToken);

    /// <summary>
    /// Stores an unnamed file made in <see cref="ScratchDirectory"/> (a sealed pack or index) by linking it
    /// under a temporary name and renaming that into place, as a copy would be: the bytes are written once.
    /// False when <paramref name="data"/> is not such a file from its first byte, or cannot be linked
    /// here (another file system): the caller copies it.
    /// </summary>
    private bool TryAdopt(string key, string path, Stream data)
    {
        if (data is not FileStream { CanRead: true, Position: 0 } file)
        {
            return false;
        }
        string temp = path + "." + Guid.NewGuid().ToString("N")[..12] + TempSuffix;
        try
        {
            string dir = Path.GetDirectoryName(path)!;
            if (!Directory.Exists(dir))
            {
                Directory.CreateDirectory(dir, DirMode);
            }
            file.Flush(flushToDisk: true);
            if (!Offsite.Posix.PosixFs.TryLinkAnonymous(file.SafeFileHandle, Offsite.Posix.PosixPath.FromString(temp)))
            {
                return false;
            }
            File.Move(temp, path, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new StorageException($"writing {key}: {e.Message}", e);
        }
    }

    public async Task<bool> TryCreateAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        string path = PathOf(key);
        string temp = await WriteTempAsync(path, data, cancellationToken).ConfigureAwait(false);
        try
        {
            // link(2) fails with EEXIST atomically, which rename(2) would not: that is the conditional put.
            return LinkNoReplace(temp, path);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public async Task<byte[]> GetAsync(string key, CancellationToken cancellationToken)
    {
        string path = PathOf(key);
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectNotFoundException(key, e);
        }
        catch (IOException e)
        {
            throw new StorageException($"reading {key}: {e.Message}", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new StorageException($"reading {key}: {e.Message}", e);
        }
    }

    /// <summary>The object's file, unbuffered (the reader takes it in 64 KiB chunks) and read ahead by the kernel.</summary>
    public Task<Stream> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string path = PathOf(key);
        try
        {
            return Task.FromResult<Stream>(new FileStream(path, System.IO.FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectNotFoundException(key, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"reading {key}: {e.Message}", e);
        }
    }

    public async Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        string path = PathOf(key);
        try
        {
            using var handle = File.OpenHandle(path, System.IO.FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
            long size = RandomAccess.GetLength(handle);
            int n = (int)Math.Clamp(size - offset, 0, length);
            byte[] buffer = new byte[n];
            int done = 0;
            while (done < n)
            {
                int r = await RandomAccess.ReadAsync(handle, buffer.AsMemory(done), offset + done, cancellationToken).ConfigureAwait(false);
                if (r == 0)
                {
                    throw new StorageException($"reading {key}: file shrank while reading");
                }
                done += r;
            }
            return buffer;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectNotFoundException(key, e);
        }
        catch (IOException e)
        {
            throw new StorageException($"reading {key}: {e.Message}", e);
        }
    }

    public Task<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        var info = new FileInfo(PathOf(key));
        return Task.FromResult(info.Exists ? new ObjectInfo(key, info.Length, info.LastWriteTimeUtc) : null);
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Objects live at most two directories deep; list the directory the prefix names and filter.
        int slash = prefix.LastIndexOf('/');
        string dirKey = slash < 0 ? "" : prefix[..slash];
        string dir = dirKey.Length == 0 ? _root : PathOf(dirKey);
        if (!Directory.Exists(dir))
        {
            yield break;
        }
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false, AttributesToSkip = 0 };
        foreach (var file in new DirectoryInfo(dir).EnumerateFiles("*", options))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (file.Name.EndsWith(TempSuffix, StringComparison.Ordinal))
            {
                // A writer killed mid-write leaves its temporary behind. No live write takes an hour,
                // so older ones are garbage: reclaim the space here, where every listing passes.
                if (file.LastWriteTimeUtc < Time.GetUtcNow().UtcDateTime - StaleTemporaryAge)
                {
                    TryDelete(file.FullName);
                }
                continue;
            }
            string key = Path.GetRelativePath(_root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal) && Describe(key, file) is { } info)
            {
                yield return info;
            }
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>
    /// The listed file's size and time, or null when it was deleted after the directory was read (a
    /// concurrent delete, e.g. a released lease): an object gone during a listing is not listed, as on S3.
    /// </summary>
    private static ObjectInfo? Describe(string key, FileInfo file)
    {
        try
        {
            return new ObjectInfo(key, file.Length, file.LastWriteTimeUtc);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        Wrap(key, () => File.Delete(PathOf(key)));
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private string PathOf(string key)
    {
        if (key.Length == 0 || key.Contains("..", StringComparison.Ordinal) || key.StartsWith('/') || key.Contains('\\', StringComparison.Ordinal))
        {
            throw new ArgumentException($"invalid object key '{key}'", nameof(key));
        }
        return Path.Combine(_root, key);
    }

    private Task<string> WriteTempAsync(string path, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        WriteTempAsync(path, data.Length, (fs, ct) => fs.WriteAsync(data, ct).AsTask(), cancellationToken);

    /// <summary>Writes a temporary file next to <paramref name="path"/> with <paramref name="write"/>, flushed to disk; returns its path.</summary>
    private async Task<string> WriteTempAsync(string path, long length, Func<FileStream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        string dir = Path.GetDirectoryName(path)!;
        string temp = path + "." + Guid.NewGuid().ToString("N")[..12] + TempSuffix;
        try
        {
            if (!Directory.Exists(dir))
            {
                Directory.CreateDirectory(dir, DirMode);
            }
            var options = new FileStreamOptions
            {
                Mode = System.IO.FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = FileMode,
                Options = FileOptions.Asynchronous,
                PreallocationSize = length,
            };
            await using (var fs = new FileStream(temp, options))
            {
                await write(fs, cancellationToken).ConfigureAwait(false);
                fs.Flush(flushToDisk: true);
            }
            return temp;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            TryDelete(temp);
            if (e is OperationCanceledException)
            {
                throw;
            }
            throw new StorageException($"writing {Path.GetRelativePath(_root, path)}: {e.Message}", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover *.tmp is ignored by listings and never referenced.
        }
    }

    private static bool LinkNoReplace(string existing, string newPath) => Native.Link(existing, newPath);

    private static void Wrap(string key, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"{key}: {e.Message}", e);
        }
    }
}
