using Offsite.Core.Errors;
using Offsite.Core.Snapshots;

namespace Offsite.App.Restore;

/// <summary>
/// Refuses a restore that would write into the directories the snapshot was taken from. Snapshots keep
/// absolute paths (restoring /srv/app into T writes T/srv/app), so the target "/" restores over the
/// source itself, and a target that is a source directory or lies inside one writes into it (and the
/// next backup of it would hold the copy too).
/// </summary>
public static class SourceTargetGuard
{
    public const string AllowOption = "--allow-source-target";

    public static void Check(string target, Snapshot snapshot)
    {
        string full = Normalize(Path.GetFullPath(target));
        foreach (string source in snapshot.Paths.Where(p => p.StartsWith('/')))
        {
            string src = Normalize(source);
            bool over = full == "/";
            // A backup of / contains every directory: only restoring into / itself is over the source then.
            bool inside = src != "/" && (full == src || full.StartsWith(src + "/", StringComparison.Ordinal));
            if (over || inside)
            {
                string what = over ? $"restoring into / writes the snapshot's files over {source} itself" : $"{target} is {(full == src ? "" : "inside ")}the directory snapshot {snapshot.Id[..8]} was taken from ({source})";
                throw new OffsiteException(ErrorKind.Usage,
                    $"{what}; restore into another directory, or give {AllowOption} to do it anyway (with --overwrite to say what happens to files already there)");
            }
        }
    }

    private static string Normalize(string path) => path.Length > 1 ? path.TrimEnd('/') : path;
}
