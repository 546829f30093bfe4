namespace Offsite.Posix.Tests;

/// <summary>
/// A scratch directory under the system temp path. Removal goes through PosixFs because the BCL
/// cannot delete names that are not valid UTF-8, which these tests create on purpose.
/// </summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        PathText = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "offsite-posix-" + Guid.NewGuid().ToString("N"));
        Path = PosixPath.FromString(PathText);
        PosixFs.MakeDirectory(Path, 0x1C0 /* 0700 */, existOk: false);
    }

    public byte[] Path { get; }

    public string PathText { get; }

    public byte[] Child(string name) => PosixPath.Join(Path, PosixPath.FromString(name));

    public byte[] Child(byte[] name) => PosixPath.Join(Path, name);

    public void Dispose() => RemoveTree(Path);

    private static void RemoveTree(byte[] path)
    {
        if (PosixFs.LStat(path).Type != PosixFileType.Directory)
        {
            PosixFs.Unlink(path);
            return;
        }
        foreach (var entry in PosixFs.ReadDirectory(path))
        {
            RemoveTree(PosixPath.Join(path, entry.Name));
        }
        PosixFs.RemoveDirectory(path);
    }
}
