namespace Offsite.Posix;

/// <summary>One directory entry.</summary>
/// <param name="Name">The raw name bytes: no NUL, no slash, not necessarily valid UTF-8.</param>
/// <param name="TypeHint">
/// The type from <c>d_type</c>. Only a hint: some filesystems report <see cref="PosixFileType.Unknown"/>,
/// and the entry may change before it is looked at, so callers that act on the type must <c>lstat</c>.
/// </param>
public readonly record struct DirEntry(byte[] Name, PosixFileType TypeHint);
