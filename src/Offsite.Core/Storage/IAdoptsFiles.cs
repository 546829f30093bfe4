namespace Offsite.Core.Storage;

/// <summary>
/// A storage that can take a finished object written to an unnamed file (O_TMPFILE) in
/// <see cref="ScratchDirectory"/> by giving the file its name, instead of copying its bytes: a
/// local directory on one file system. Packs and index objects are sealed there when the storage
/// offers it, and <see cref="IStorage.PutAsync(string, Stream, CancellationToken)"/> with that
/// file's stream (from its first byte) links it; any other stream is copied as usual.
/// </summary>
public interface IAdoptsFiles
{
    /// <summary>A directory on the storage's file system for the unnamed files.</summary>
    string ScratchDirectory { get; }
}
