using System.CommandLine;
using Offsite.App.Sources.Files;
using Offsite.Core.Errors;

namespace Offsite.Cli.Commands;

/// <summary>
/// restic's options for backing up directories: what to leave out (patterns, cache directories,
/// other file systems), where the paths come from (<c>--files-from</c>), and <c>--dry-run</c>.
/// Only for directory sources: with any other source they are a usage error.
/// </summary>
public sealed class BackupFilterOptions
{
    private readonly Option<string[]> _exclude = new("--exclude", "-e") { Description = "leave out paths matching PATTERN (repeatable; docs/patterns.md)", AllowMultipleArgumentsPerToken = false, HelpName = "PATTERN" };
    private readonly Option<string[]> _excludeFile = new("--exclude-file") { Description = "read exclude patterns from FILE, one a line (# comments)", AllowMultipleArgumentsPerToken = false, HelpName = "FILE" };
    private readonly Option<string[]> _iexclude = new("--iexclude") { Description = "like --exclude, letters compared case-insensitively", AllowMultipleArgumentsPerToken = false, HelpName = "PATTERN" };
    private readonly Option<string[]> _iexcludeFile = new("--iexclude-file") { Description = "like --exclude-file, case-insensitive", AllowMultipleArgumentsPerToken = false, HelpName = "FILE" };
    private readonly Option<bool> _excludeCaches = new("--exclude-caches") { Description = "leave out the contents of directories holding a valid CACHEDIR.TAG (the tag is kept)" };
    private readonly Option<bool> _oneFileSystem = new("--one-file-system", "-x") { Description = "do not cross mount points (a mount point is kept as an empty directory)" };
    private readonly Option<string[]> _filesFrom = new("--files-from") { Description = "read paths to back up from FILE, one a line (# comments, blank lines ignored)", AllowMultipleArgumentsPerToken = false, HelpName = "FILE" };
    private readonly Option<string[]> _filesFromVerbatim = new("--files-from-verbatim") { Description = "read paths from FILE, one a line, taken as they are (only empty lines ignored)", AllowMultipleArgumentsPerToken = false, HelpName = "FILE" };
    private readonly Option<string[]> _filesFromRaw = new("--files-from-raw") { Description = "read NUL-separated paths from FILE (find -print0)", AllowMultipleArgumentsPerToken = false, HelpName = "FILE" };
    private readonly Option<bool> _dryRun = new("--dry-run", "-n") { Description = "walk, chunk and hash; report what would be added and write nothing to the repository" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _exclude, _excludeFile, _iexclude, _iexcludeFile, _excludeCaches, _oneFileSystem, _filesFrom, _filesFromVerbatim, _filesFromRaw, _dryRun })
        {
            command.Options.Add(option);
        }
    }

    public bool DryRun(ParseResult r) => r.GetValue(_dryRun);

    /// <summary>The paths given as arguments followed by those read from the --files-from files.</summary>
    public string[] Paths(ParseResult r, IReadOnlyList<string> arguments)
    {
        var paths = new List<string>(arguments);
        foreach (string file in r.GetValue(_filesFrom) ?? []) paths.AddRange(DirectorySourceOptions.ReadListFile(file));
        foreach (string file in r.GetValue(_filesFromVerbatim) ?? []) paths.AddRange(ReadFile(file).Split('\n').Where(l => l.Length > 0));
        foreach (string file in r.GetValue(_filesFromRaw) ?? []) paths.AddRange(ReadFile(file).Split('\0').Where(l => l.Length > 0));
        return [.. paths];
    }

    /// <summary>Throws a usage error when one of these options was given for a source that is not a directory.</summary>
    public void RejectUnlessDirectory(ParseResult r, bool isDirectorySource)
    {
        if (isDirectorySource) return;
        foreach (var option in new Option[] { _exclude, _excludeFile, _iexclude, _iexcludeFile, _excludeCaches, _oneFileSystem, _dryRun })
        {
            if (r.GetResult(option) is { Implicit: false })
            {
                throw new OffsiteException(ErrorKind.Usage, $"{option.Name} is for backing up local paths only");
            }
        }
    }

    /// <summary>A directory source for <paramref name="paths"/> with these exclusions.</summary>
    public DirectorySourceOptions Source(ParseResult r, IReadOnlyList<string> paths) => new()
    {
        Paths = [.. paths],
        Exclude = [.. r.GetValue(_exclude) ?? []],
        ExcludeFile = [.. r.GetValue(_excludeFile) ?? []],
        Iexclude = [.. r.GetValue(_iexclude) ?? []],
        IexcludeFile = [.. r.GetValue(_iexcludeFile) ?? []],
        ExcludeCaches = r.GetValue(_excludeCaches),
        OneFileSystem = r.GetValue(_oneFileSystem),
    };

    private static string ReadFile(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OffsiteException(ErrorKind.Usage, $"{file}: {e.Message}", e);
        }
    }
}
