using Offsite.Core.Errors;
using Offsite.Core.Restore;
using Offsite.Posix;

namespace Offsite.Core.Tests;

/// <summary>Which I/O errors stop a restore as a failure of the target (exit 6) rather than of one file.</summary>
public sealed class TargetFailureTests
{
    [Theory]
    [InlineData(28, true)]  // ENOSPC
    [InlineData(122, true)] // EDQUOT
    [InlineData(30, true)]  // EROFS
    [InlineData(5, true)]   // EIO
    [InlineData(13, false)] // EACCES: one file, not the target
    [InlineData(2, false)]  // ENOENT
    public void Errno_decides(int errno, bool target)
    {
        Assert.Equal(target, TargetFailure.Is(new PosixException(errno, "/x")));
    }

    [Fact]
    public void Disk_full_message_says_how_far_and_that_the_repository_is_fine()
    {
        var e = TargetFailure.Describe(new PosixException(28, "/t/f"), 4, 3 * 1024 * 1024, "/t");
        Assert.Equal(ErrorKind.Io, e.Kind);
        Assert.StartsWith("target file system full after 4 files / 3.0 MiB (/t); nothing else is wrong with the repository", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_io_exceptions_are_never_target_failures()
    {
        Assert.False(TargetFailure.Is(new InvalidOperationException("x") { HResult = 28 }));
    }
}
