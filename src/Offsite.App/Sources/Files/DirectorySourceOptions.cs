using Offsite.App.Config;
using Offsite.Core.Errors;
using Offsite.Core.Paths;
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
    [Help("path patterns to leave out (restic's --exclude; docs/patterns.md)")]
    public List<string>? Exclude { get; set; }
    [Help("files of exclude patterns, one a line; # comments and blank lines ignored")]
    public List<string>? ExcludeFile { get; set; }
    [Help("path patterns to leave out, letters compared case-insensitively")]
    public List<string>? Iexclude { get; set; }
    [Help("files of case-insensitive exclude patterns")]
    public List<string>? IexcludeFile { get; set; }
    [Help("leave out the contents of directories holding a valid CACHEDIR.TAG (the tag file is kept)")]
    public bool ExcludeCaches { get; set; }
    [Help("do not descend into other file systems (mount points are kept, empty)")]
    public bool OneFileSystem { get; set; }

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
        var source = new LocalDirectorySource(absolute, context.ExcludedPaths, WalkRules());
        return SourcePlan.ForTree(source, absolute, Name ?? string.Join(",", absolute));
    }

    /// <summary>The exclusion settings as walk rules; a malformed pattern or an unreadable pattern file is a usage error.</summary>
    public DirectoryWalkRules WalkRules()
    {
        var patterns = new List<PathPattern>();
        patterns.AddRange((Exclude ?? []).Concat((ExcludeFile ?? []).SelectMany(ReadListFile)).Select(p => PathPattern.Parse(p)));
        patterns.AddRange((Iexclude ?? []).Concat((IexcludeFile ?? []).SelectMany(ReadListFile)).Select(p => PathPattern.Parse(p, ignoreCase: true)));
        return new DirectoryWalkRules { Exclude = patterns, ExcludeCaches = ExcludeCaches, OneFileSystem = OneFileSystem };
    }

    /// <summary>The lines of a pattern or path list, without blank lines and '#' comments (restic's format).</summary>
    public static IEnumerable<string> ReadListFile(string file)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OffsiteException(ErrorKind.Usage, $"{file}: {e.Message}", e);
        }
        return lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));
    }

    private static string Normalize(string p)
    {
        string full = System.IO.Path.GetFullPath(p).TrimEnd('/');
        return full.Length == 0 ? "/" : full;
    }
}
