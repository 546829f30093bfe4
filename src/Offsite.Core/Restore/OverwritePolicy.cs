namespace Offsite.Core.Restore;

/// <summary>What a restore does with an entry that already exists where it would write one (restic's <c>--overwrite</c>).</summary>
public enum OverwritePolicy
{
    /// <summary>Replace whatever is there.</summary>
    Always,
    /// <summary>Leave an entry that already has the snapshot's content (a file: same size and the same blob ids); replace others.</summary>
    IfChanged,
    /// <summary>Replace only an entry older than the snapshot's (by mtime).</summary>
    IfNewer,
    /// <summary>Leave every existing entry as it is.</summary>
    Never,
}

public static class OverwritePolicies
{
    public const string Values = "always, if-changed, if-newer, never";

    public static string Name(this OverwritePolicy policy) => policy switch
    {
        OverwritePolicy.Always => "always",
        OverwritePolicy.IfChanged => "if-changed",
        OverwritePolicy.IfNewer => "if-newer",
        _ => "never",
    };

    public static OverwritePolicy? Parse(string text) => text switch
    {
        "always" => OverwritePolicy.Always,
        "if-changed" => OverwritePolicy.IfChanged,
        "if-newer" => OverwritePolicy.IfNewer,
        "never" => OverwritePolicy.Never,
        _ => null,
    };
}
