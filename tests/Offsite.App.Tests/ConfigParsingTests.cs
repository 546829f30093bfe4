using Offsite.App.Config;
using Offsite.App.Restore;
using Offsite.App.Sources.Files;
using Offsite.App.Sources.Postgres;

namespace Offsite.App.Tests;

/// <summary>The config file: what binds, and for malformed files each message and its position.</summary>
public sealed class ConfigParsingTests
{
    private static readonly Dictionary<string, string> Env = new() { ["PGPASS"] = "s3cret", ["HOME_DIR"] = "/srv" };

    private static OffsiteConfig Parse(string yaml) => ConfigLoader.Parse(yaml, "t.yaml", n => Env.GetValueOrDefault(n));

    private static IReadOnlyList<string> Errors(string yaml) =>
        Assert.Throws<ConfigException>(() => Parse(yaml)).Errors.Select(e => e.ToString()).ToList();

    [Fact]
    public void A_full_file_binds_into_typed_sections()
    {
        var config = Parse("""
            repositories:
              s3main:
                location: s3:https://s3.example.com/bucket/prefix
                password_file: /run/secrets/offsite
                s3: {region: eu-west-1, access_key_id: AKIA, secret_access_key_command: [pass, show, s3]}
                object_lock: {mode: compliance, days: 30}
            jobs:
              db:
                repository: s3main
                source: {type: postgres, url: "postgres://backup@db/app", all_databases: true}
                schedule: "0 3 * * *"
                timeout: 1h30m
                retention: {keep_daily: 7, keep_within: 2d, keep_tag: [keep]}
                restore: {type: postgres, url: "postgres://db/app_copy", if_empty: true}
              files:
                repository: s3main
                sources:
                  - {type: directory, path: "${HOME_DIR}/app"}
                  - {type: command, command: [echo, hi], file_name: hi.txt}
                hooks: {before: [true], after: [logger, done]}
            """);
        var repo = config.Repositories["s3main"];
        Assert.Equal("/run/secrets/offsite", repo.Password!.File);
        Assert.Equal("'pass' 'show' 's3'", repo.S3!.SecretAccessKey!.Command);
        Assert.Equal(30, repo.ObjectLock!.Days);
        var db = config.Jobs["db"];
        Assert.True(Assert.IsType<PostgresSourceOptions>(db.Source).AllDatabases);
        Assert.Equal(TimeSpan.FromMinutes(90), db.Timeout);
        Assert.Equal("2d", db.Retention!.KeepWithin);
        Assert.Equal(7, db.Retention.ToPolicy().KeepDaily);
        Assert.True(Assert.IsType<PostgresTargetOptions>(db.Restore).IfEmpty);
        var files = config.Jobs["files"];
        Assert.Equal("/srv/app", Assert.IsType<DirectorySourceOptions>(files.AllSources[0]).Path);
        Assert.Equal(["logger", "done"], files.Hooks!.After);
    }

    [Fact]
    public void Json_in_the_montagu_layout_is_accepted()
    {
        var config = Parse("""
            {"repositories": {"montagu": {"location": "s3://montagu-backups", "key_file": "/etc/montagu/backup.key"}},
             "jobs": {"montagu": {"sources": [{"type": "directory", "path": "/var/lib/montagu/orderly"},
                                              {"type": "directory", "paths": ["/etc/montagu"]}]}}}
            """);
        Assert.Equal(2, config.Jobs["montagu"].AllSources.Count);
        Assert.Equal("/etc/montagu/backup.key", config.Repositories["montagu"].Key!.File);
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "repositories:\n  r: {location: /x, pasword: y}\njobs: {}\n", "t.yaml:2:21: repositories.r.pasword: unknown key (allowed: location, password, password_file, password_command, key, key_file, key_command, cache_dir, no_cache, s3, object_lock, lifecycle)" },
        { "repositories:\n  r: {cache_dir: /c}\n", "t.yaml:2:6: repositories.r.location: missing (this key is required)" },
        { "repositories:\n  r: {location: /x, no_cache: perhaps}\n", "t.yaml:2:31: repositories.r.no_cache: 'perhaps' is not true or false" },
        { "repositories:\n  r: {location: /x, object_lock: {mode: compliance, days: many}}\n", "t.yaml:2:59: repositories.r.object_lock.days: 'many' is not a whole number" },
        { "repositories:\n  r: {location: /x}\njobs:\n  j: {source: {type: directory, path: /x}, timeout: soon}\n", "t.yaml:4:53: jobs.j.timeout: 'soon' is not a duration such as 90s, 15m, 1h30m or 7d" },
        { "repositories:\n  r: {location: /x}\njobs:\n  j: {source: {type: tape, path: /x}}\n", "t.yaml:4:22: jobs.j.source.type: 'tape' is not a known type (allowed: command, consul, container, directory, etcd, http, named_volume, nomad, postgres, s3, vault)" },
        { "repositories:\n  r: {location: /x}\njobs:\n  j: {source: {path: /x}}\n", "t.yaml:4:15: jobs.j.source.type: missing (allowed: command, consul, container, directory, etcd, http, named_volume, nomad, postgres, s3, vault)" },
        { "repositories:\n  r: {location: /x}\njobs:\n  j: {source: {type: directory, path: /x}, tags: {a: b}}\n", "t.yaml:4:50: jobs.j.tags: expected a list, found a mapping" },
        { "repositories:\n  r: {location: /x}\njobs:\n  j: {repository: s, source: {type: directory, path: /x}}\n", "t.yaml:4:19: jobs.j.repository: 's' is not a repository of this file (allowed: r)" },
        { "repositories:\n  r: {location: /x}\njobs:\n  j: {tags: [a]}\n", "t.yaml:4:6: jobs.j.source: missing: a job needs source: or sources:" },
        { "repositories:\n  r: {location: '${NOPE}'}\n", "t.yaml:2:17: repositories.r.location: environment variable NOPE is not set" },
        { "repositories:\n  r: {location: /x, password: a, key_file: /k}\n", "t.yaml:2:6: repositories.r: give a password or a key, not both" },
        { "repositories:\n  r: {location: /x, password: a, password_file: /p}\n", "t.yaml:2:34: repositories.r.password_file: given twice (also as another form of password)" },
        { "repositories: [a, b]\n", "t.yaml:1:15: repositories: expected a mapping of names to entries, found a list" },
        { "repositories:\n  r: {location: /x\n", "t.yaml:3:1: : not valid YAML/JSON: While parsing a flow mapping, did not find expected ',' or '}'." },
        { "jobs:\n  j: {hooks: {before: []}, source: {type: command, command: [x]}}\nrepositories: {r: {location: /x}}\n", "t.yaml:2:23: jobs.j.hooks.before: is empty: give the program and its arguments as a list" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_files_report_each_problem_at_its_position(string yaml, string expected)
    {
        var errors = Errors(yaml);
        Assert.True(errors.Contains(expected), "got:\n" + string.Join("\n", errors));
    }

    [Fact]
    public void Secrets_are_never_in_messages_or_in_the_printed_config()
    {
        var config = Parse("repositories:\n  r: {location: /x, password: '${PGPASS}'}\njobs: {}\n");
        Assert.Equal("s3cret", config.Repositories["r"].Password!.Value);
        string shown = ConfigPrinter.Print(config);
        Assert.DoesNotContain("s3cret", shown, StringComparison.Ordinal);
        Assert.Contains("password: \"<redacted>\"", shown, StringComparison.Ordinal);
        var errors = Errors("repositories:\n  r: {location: /x, password: '${PGPASS}', pasword: '${PGPASS}'}\n");
        Assert.DoesNotContain(errors, e => e.Contains("s3cret", StringComparison.Ordinal));
    }

    [Fact]
    public void A_literal_dollar_brace_is_written_twice()
    {
        var config = Parse("repositories:\n  r: {location: '/x/$${HOME}'}\n");
        Assert.Equal("/x/${HOME}", config.Repositories["r"].Location);
    }
}
