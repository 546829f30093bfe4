namespace Offsite.Posix.Tests;

/// <summary>A fact that needs root (chown, mknod); reported as skipped rather than passing silently otherwise.</summary>
internal sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!PosixFs.IsRoot)
        {
            Skip = "Requires root.";
        }
    }
}
