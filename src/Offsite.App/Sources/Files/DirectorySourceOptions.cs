using Offsite.App.Config;
using Offsite.Core.Errors;
using Offsite.Sources.Files;

namespace Offsite.App.Sources.Files;

/// <summary><c>type: directory</c>: local paths, backed up as one tree (a Docker volume's mountpoint works too).</summary>
public sealed class DirectorySourceOptions : SourceOptions
{
    [Help("one absolute path")]
    public string? Path { get; set; }
    [Help("several absolute paths in one snapshot")]
    public List<string>? Paths { get; set; }
    [Help("the snapshot's source name (default: the paths)")]
    public string? Name { get; set; }

    public override SourcePlan Plan(SourceContext context)
    {
        var paths = new List<string>();
        if (Path is not null) paths.Add(Path);
        paths.AddRange(Paths ?? []);
        if (paths.Count == 0)
        {
            throw new OffsiteException(ErrorKind.Usage, "a directory source needs path or paths");
        }
        var absolute = paths.Select(Normalize).ToList();
        foreach (string p in absolute)
        {
            if (!System.IO.Path.Exists(p) && new FileInfo(p).LinkTarget is null)
            {
                throw new OffsiteException(ErrorKind.Usage, $"{p}: no such file or directory");
            }
        }
        var source = new LocalDirectorySource(absolute, context.ExcludedPaths);
        return SourcePlan.ForTree(source, absolute, Name ?? string.Join(",", absolute));
    }

    private static string Normalize(string p)
    {
        string full = System.IO.Path.GetFullPath(p).TrimEnd('/');
        return full.Length == 0 ? "/" : full;
    }
}
