using Offsite.Crypto.Age;

namespace Offsite.Core.Content;

/// <summary>
/// An object sealed as it is written: plaintext goes through an age stream into an unlinked temporary
/// file (0600), and the object is named by the SHA-256 of the stored bytes, hashed on the way out. Packs
/// and index objects are written this way, so neither their plaintext nor their sealed form is ever a
/// buffer of their size (docs/design.md, "Memory"). I/O errors name what was written and where.
/// </summary>
internal sealed class SealedTempFile : IDisposable
{
    private readonly FileStream _file;
    private readonly Sha256WriteStream _hashing;
    private readonly Stream _age;
    private readonly string _what;
    private readonly string _directory;
    private string? _id;

    /// <param name="directory">where the temporary file goes (next to the cache, a disk, usually)</param>
    /// <param name="what">what is sealed, for error messages and the file's name: "pack", "index"</param>
    public SealedTempFile(string directory, string what, IRecipient recipient)
    {
        _directory = directory;
        _what = what;
        try
        {
            _file = UnlinkedTempFile.Create(directory, what);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot create a {what}'s temporary file in {directory}: {e.Message}", e);
        }
        _hashing = new Sha256WriteStream(_file);
        _age = Guard(() => AgeFile.OpenWrite(_hashing, [recipient], leaveOpen: true));
    }

    /// <summary>The plaintext side, for writers that take a stream; its I/O errors are not wrapped.</summary>
    public Stream Plaintext => _id is null ? _age : throw new InvalidOperationException($"the {_what} is finished");

    /// <summary>Sealed bytes written so far; the stored size after <see cref="Finish"/>.</summary>
    public long StoredLength => _hashing.Written;

    /// <summary>The object's id, known after <see cref="Finish"/>.</summary>
    public string Id => _id ?? throw new InvalidOperationException($"the {_what} is not finished");

    public bool IsFinished => _id is not null;

    public void Write(ReadOnlySpan<byte> data)
    {
        try
        {
            Plaintext.Write(data);
        }
        catch (IOException e)
        {
            throw Failure(e);
        }
    }

    /// <summary>Encrypts and writes the final chunk and returns the object's id.</summary>
    public string Finish()
    {
        Guard(() => { _age.Dispose(); return 0; });
        _id = _hashing.FinishId();
        return _id;
    }

    /// <summary>
    /// The sealed object, from its first byte, for an upload or a copy into the cache. The stream is this
    /// object's own: do not dispose it, and read it from one place at a time.
    /// </summary>
    public Stream OpenSealed()
    {
        _ = Id;
        _file.Position = 0;
        return _file;
    }

    public IOException Failure(IOException e) =>
        new($"writing a {_what}'s temporary file in {_directory}: {e.Message}", e);

    private T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (IOException e)
        {
            throw Failure(e);
        }
    }

    public void Dispose()
    {
        if (_id is null)
        {
            _hashing.Discard(); // abandoned: its final chunk need not reach the file (which may be what failed)
        }
        _age.Dispose();
        _hashing.Dispose();
        _file.Dispose();
    }
}
