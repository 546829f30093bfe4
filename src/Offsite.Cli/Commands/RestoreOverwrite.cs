using System.CommandLine;

namespace Offsite.Cli.Commands;

/// <summary>
/// <c>restore --overwrite</c>: one option for every target that refuses to write over what exists (a bucket's keys,
/// a Docker volume's files). Two options of the same name would leave one of them never set.
/// </summary>
public static class RestoreOverwrite
{
    public static Option<bool> Option { get; } = new("--overwrite")
    {
        Description = "replace what the target already holds: keys in a bucket (--to s3:…), files in a Docker volume (--to docker-volume:…); default: refuse before writing anything",
    };
}
