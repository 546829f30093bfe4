using Offsite.App.Config;
using Offsite.App.Sources;
using Offsite.Core.Errors;
using Offsite.Sources.Postgres;

namespace Offsite.App.Restore;

/// <summary>A job's restore target as the config file declares it (<c>restore: {type: …}</c>).</summary>
public abstract class RestoreTargetOptions
{
    public abstract IRestoreTarget Create();

    /// <summary>Builds the target with the run's environment: targets that find their service through it
    /// (DOCKER_HOST, VAULT_ADDR and the other service CLIs' variables) override this.</summary>
    public virtual IRestoreTarget Create(SourceContext context) => Create();
}

/// <summary><c>type: directory</c>: restore into a local directory.</summary>
public sealed class DirectoryTargetOptions : RestoreTargetOptions
{
    [RequiredKey]
    public string Path { get; set; } = "";
    [Help("restore only these paths (and below)")]
    public List<string>? Include { get; set; }

    public override IRestoreTarget Create() => new DirectoryTarget(Path, Include ?? []);
}

/// <summary><c>type: postgres</c>: restore a database dump into a database (created when missing).</summary>
public sealed class PostgresTargetOptions : RestoreTargetOptions
{
    [RequiredKey, Help("postgres://user@host:port/newdb")]
    public string Url { get; set; } = "";
    [Help("restore only when the database has no user tables (once per feature branch)")]
    public bool IfEmpty { get; set; }
    [Help("drop and recreate the database first")]
    public bool Clean { get; set; }
    public bool NoOwner { get; set; }
    public string? PgBin { get; set; }

    public override IRestoreTarget Create()
    {
        if (IfEmpty && Clean)
        {
            throw new OffsiteException(ErrorKind.Usage, "restore: if_empty and clean exclude each other");
        }
        return new PostgresTarget(PgConnection.Parse(Url), new PgRestoreOptions(IfEmpty, Clean, NoOwner), PgBin);
    }
}
