using System.CommandLine;
using Offsite.App.Config;
using Offsite.App.Repositories;
using Offsite.App.Secrets;

namespace Offsite.Cli;

/// <summary>Options every command takes, parsed once into a typed record (no string dictionaries).</summary>
public sealed record GlobalSettings(
    string? Repository, string? PasswordFile, string? PasswordCommand, string? KeyFile, string? KeyCommand,
    string? CacheDir, bool NoCache, bool Json, bool Quiet, string? ConfigPath, string? Job)
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
    public static readonly Option<string?> ConfigOption = new("--config", "-c") { Description = "config file (env OFFSITE_CONFIG; default /etc/offsite/offsite.yaml when it exists)", Recursive = true };
    public static readonly Option<string?> JobOption = new("--job") { Description = "take the repository and key from this job of the config file", Recursive = true };

    public static IEnumerable<Option> All => [RepoOption, PasswordFileOption, PasswordCommandOption, KeyFileOption, KeyCommandOption, CacheDirOption, NoCacheOption, JsonOption, QuietOption, ConfigOption, JobOption, .. S3Settings.Options];

    public static GlobalSettings From(ParseResult r) => new(
        r.GetValue(RepoOption), r.GetValue(PasswordFileOption), r.GetValue(PasswordCommandOption),
        r.GetValue(KeyFileOption), r.GetValue(KeyCommandOption), r.GetValue(CacheDirOption),
        r.GetValue(NoCacheOption), r.GetValue(JsonOption), r.GetValue(QuietOption),
        r.GetValue(ConfigOption), r.GetValue(JobOption))
    {
        S3 = S3Settings.From(r),
    };

    /// <summary>Options for S3 repositories (ignored for local ones).</summary>
    public S3Settings S3 { get; init; } = new(null, null, false, null, null, null);

    /// <summary>The config file, loaded once when a command needs it; null when there is none.</summary>
    public OffsiteConfig? LoadConfig(bool required)
    {
        string? path = ConfigLoader.Locate(ConfigPath, CliEnvironment.Get);
        if (path is null)
        {
            return required
                ? throw new Core.Errors.OffsiteException(Core.Errors.ErrorKind.Usage, $"no config file: give --config FILE, set OFFSITE_CONFIG, or create {ConfigLoader.DefaultPath}")
                : null;
        }
        return ConfigLoader.Load(path, CliEnvironment.Get);
    }

    /// <summary>The config section of the --job's repository; null without --job.</summary>
    public RepositorySection? JobRepository()
    {
        if (Job is null) return null;
        var config = LoadConfig(required: true)!;
        return ConfigResolver.Repository(config, ConfigResolver.RepositoryNameOf(config, ConfigResolver.Job(config, Job)));
    }

    /// <summary>
    /// The repository this command works on: flags and environment first, then the job's (or the
    /// only) repository of the config file when --job is given.
    /// </summary>
    public RepositorySpec RepositorySpec()
    {
        RepositorySpec? fromConfig = JobRepository() is { } section ? ConfigResolver.Spec(section, CliEnvironment.DefaultCacheDirectory()) : null;
        var flags = new KeySpec(
            KeyFile: KeyFile ?? CliEnvironment.Get("OFFSITE_KEY_FILE"), KeyCommand: KeyCommand ?? CliEnvironment.Get("OFFSITE_KEY_COMMAND"),
            PasswordFile: PasswordFile ?? CliEnvironment.Get("OFFSITE_PASSWORD_FILE"), PasswordCommand: PasswordCommand ?? CliEnvironment.Get("OFFSITE_PASSWORD_COMMAND"),
            Password: CliEnvironment.Get("OFFSITE_PASSWORD"));
        string location = Repository ?? (fromConfig is null ? CliEnvironment.Get("OFFSITE_REPOSITORY") : null) ?? fromConfig?.Location ?? "";
        string? cache = NoCache ? null : CacheDir ?? fromConfig?.CacheDirectory ?? (fromConfig is null ? CliEnvironment.DefaultCacheDirectory() : null);
        return new RepositorySpec(location, S3.ToSpec(fromConfig?.S3 ?? new S3Spec()), flags.Or(fromConfig?.Key ?? new KeySpec()), cache);
    }
}
