namespace Offsite.Sources.Docker;

/// <summary>How a volume's files are reached.</summary>
public enum VolumeAccess
{
    /// <summary>The mountpoint when the daemon is on a unix socket and the mountpoint is readable here; else the archive.</summary>
    Auto,
    /// <summary>Always the mountpoint (fails when it cannot be read here).</summary>
    Mountpoint,
    /// <summary>Always a tar stream through a helper container (works with any daemon).</summary>
    Archive,
}

public static class VolumeAccesses
{
    public static VolumeAccess Parse(string text) => text switch
    {
        "auto" => VolumeAccess.Auto,
        "mountpoint" => VolumeAccess.Mountpoint,
        "archive" => VolumeAccess.Archive,
        _ => throw new Core.Errors.OffsiteException(Core.Errors.ErrorKind.Usage, $"access '{text}': expected auto, mountpoint or archive"),
    };
}
