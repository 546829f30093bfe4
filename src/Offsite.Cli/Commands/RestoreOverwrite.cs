using System.CommandLine;
using System.CommandLine.Parsing;
using Offsite.Core.Errors;
using Offsite.Core.Restore;

namespace Offsite.Cli.Commands;

/// <summary>
/// <c>restore --overwrite always|if-changed|if-newer|never</c>: one option for every target (two options of
/// the same name would leave one of them never set). A directory defaults to <c>if-changed</c>; a bucket and
/// a Docker volume take <c>always</c> or <c>never</c> and default to <c>never</c> (refuse before writing
/// anything). <c>--overwrite</c> without a value still means <c>always</c>.
/// </summary>
public static class RestoreOverwrite
{
    public static Option<OverwritePolicy?> Option { get; } = new("--overwrite")
    {
        Description = $"what to do with what the target already holds: {OverwritePolicies.Values}; a directory: default if-changed (a file with the snapshot's content is left alone), " +
            "a bucket (--to s3:…) or Docker volume (--to docker-volume:…): always or never (default: refuse before writing anything); without a value: always",
        Arity = ArgumentArity.ZeroOrOne,
        CustomParser = Parse,
    };

    /// <summary>The policy given, or null when --overwrite was not given.</summary>
    public static OverwritePolicy? Get(ParseResult r) => r.GetValue(Option);

    /// <summary>True for <c>--overwrite</c> / <c>--overwrite always</c> on a target that only knows always or never.</summary>
    public static bool AlwaysForBucketOrVolume(ParseResult r)
    {
        var policy = Get(r);
        if (policy is OverwritePolicy.IfChanged or OverwritePolicy.IfNewer)
        {
            throw new OffsiteException(ErrorKind.Usage, $"--overwrite {policy.Value.Name()} applies to a directory target; a bucket or a Docker volume takes always or never");
        }
        return policy == OverwritePolicy.Always;
    }

    private static OverwritePolicy? Parse(ArgumentResult result)
    {
        if (result.Tokens.Count == 0)
        {
            return OverwritePolicy.Always;
        }
        string text = result.Tokens[0].Value;
        if (OverwritePolicies.Parse(text) is { } policy)
        {
            return policy;
        }
        // System.CommandLine cannot hand a token back from an option's argument: `--overwrite latest` reads
        // "latest" as the policy, so the bare flag has to come after the snapshot argument.
        result.AddError($"--overwrite: '{text}' is not one of {OverwritePolicies.Values} (--overwrite without a value means always; put it after the snapshot)");
        return null;
    }
}
