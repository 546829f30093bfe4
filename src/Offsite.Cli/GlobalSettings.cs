using System.CommandLine;

namespace Offsite.Cli;

/// <summary>Options every command takes, parsed once into a typed record (no string dictionaries).</summary>
public sealed record GlobalSettings(
    string? Repository, string? PasswordFile, string? PasswordCommand, string? KeyFile, string? KeyCommand,
    string? CacheDir, bool NoCache, bool Json, bool Quiet)
{
    public static readonly Option<string?> RepoOption = new("--repo", "-r") { Description = "repository location: a directory path, s3:https://host/bucket/prefix or s3://bucket/prefix (env OFFSITE_REPOSITORY)", Recursive = true };
    public static readonly Option<string?> PasswordFileOption = new("--password-file") { Description = "read the passphrase from the first line of a file (env OFFSITE_PASSWORD_FILE)", Recursive = true };
    public static readonly Option<string?> PasswordCommandOption = new("--password-command") { Description = "run a shell command; its first output line is the passphrase (env OFFSITE_PASSWORD_COMMAND)", Recursive = true };
    public static readonly Option<string?> KeyFileOption = new("--key-file") { Description = "use a key file from `key export` instead of a passphrase (env OFFSITE_KEY_FILE)", Recursive = true };
    public static readonly Option<string?> KeyCommandOption = new("--key-command") { Description = "run a shell command (e.g. a KMS decrypt); its output is the key (env OFFSITE_KEY_COMMAND)", Recursive = true };
    public static readonly Option<string?> CacheDirOption = new("--cache-dir") { Description = "local cache directory (default ~/.cache/offsite; env OFFSITE_CACHE_DIR)", Recursive = true };
    public static readonly Option<bool> NoCacheOption = new("--no-cache") { Description = "do not use or write the local cache", Recursive = true };
    public static readonly Option<bool> JsonOption = new("--json") { Description = "machine-readable JSON output", Recursive = true };
    public static readonly Option<bool> QuietOption = new("--quiet", "-q") { Description = "print only errors", Recursive = true };

    public static IEnumerable<Option> All => [RepoOption, PasswordFileOption, PasswordCommandOption, KeyFileOption, KeyCommandOption, CacheDirOption, NoCacheOption, JsonOption, QuietOption, .. S3Settings.Options];

    public static GlobalSettings From(ParseResult r) => new(
        r.GetValue(RepoOption), r.GetValue(PasswordFileOption), r.GetValue(PasswordCommandOption),
        r.GetValue(KeyFileOption), r.GetValue(KeyCommandOption), r.GetValue(CacheDirOption),
        r.GetValue(NoCacheOption), r.GetValue(JsonOption), r.GetValue(QuietOption))
    {
        S3 = S3Settings.From(r),
    };

    /// <summary>Options for S3 repositories (ignored for local ones).</summary>
    public S3Settings S3 { get; init; } = new(null, null, false, null, null, null);

    /// <summary>"" disables the cache (see Repository.OpenAsync), null means the default.</summary>
    public string? EffectiveCacheDir => NoCache ? "" : CacheDir;
}
