using System.Text.Json.Nodes;

namespace Offsite.Storage.S3;

/// <summary>
/// Least-privilege IAM identity policies for the three roles of a repository. None of them may
/// delete object versions, bypass governance retention or change the bucket's lock, versioning or
/// lifecycle: only the bucket owner can, so a stolen backup host or janitor cannot shorten retention.
/// </summary>
public static class BucketPolicies
{
    /// <summary>
    /// Backup host: writes new packs, indexes and snapshots (and aborts its own failed multipart uploads),
    /// reads only the plaintext `config`. With dedup against the remote index it may also read and list.
    /// </summary>
    public static JsonObject Backup(BucketSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var statements = new List<JsonNode>
        {
            Statement("OffsiteAddBackups", ["s3:PutObject", "s3:AbortMultipartUpload"],
                [Object(s, "packs/*"), Object(s, "index/*"), Object(s, "snapshots/*")]),
            // With --storage-class, data packs carry the tag the transition rule matches (x-amz-tagging on the PUT).
            Statement("OffsiteTagDataPacks", ["s3:PutObjectTagging"], [Object(s, "packs/*")]),
        };
        if (s.DedupRemote)
        {
            statements.Add(Statement("OffsiteReadRepository", ["s3:GetObject"], [Object(s, "*")]));
            statements.Add(List(s));
        }
        else
        {
            // Opening a repository reads its config, and every backup reads prune-state (both plaintext, no secrets:
            // which packs a prune condemned, so the host stops deduplicating against them); nothing else is read.
            statements.Add(Statement("OffsiteReadConfig", ["s3:GetObject"], [Object(s, "config"), Object(s, "prune-state")]));
        }
        return Document(statements);
    }

    /// <summary>Restore and check: read and list, nothing else.</summary>
    public static JsonObject Restore(BucketSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return Document([Statement("OffsiteReadRepository", ["s3:GetObject"], [Object(s, "*")]), List(s)]);
    }

    /// <summary>
    /// Copy target (`offsite copy --to` this bucket): adds objects of every kind, including the first
    /// <c>keys/</c> and <c>config</c> of a new mirror; lists the prefix to copy only what is missing;
    /// reads <c>config</c> (is it this repository?) and <c>index/*</c> (what a filtered copy must still
    /// index). No delete, no overwrite protection needed: objects are named by their content. The
    /// source needs the <c>restore</c> role (read and list).
    /// </summary>
    public static JsonObject Copy(BucketSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return Document([
            Statement("OffsiteCopyIn", ["s3:PutObject", "s3:AbortMultipartUpload"],
                [Object(s, "config"), Object(s, "keys/*"), Object(s, "packs/*"), Object(s, "index/*"), Object(s, "snapshots/*")]),
            Statement("OffsiteTagDataPacks", ["s3:PutObjectTagging"], [Object(s, "packs/*")]),
            Statement("OffsiteReadCopyState", ["s3:GetObject"], [Object(s, "config"), Object(s, "index/*")]),
            List(s),
        ]);
    }

    /// <summary>Janitor (prune, key management): read, list, write and delete current objects.</summary>
    public static JsonObject Janitor(BucketSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return Document([
            Statement("OffsiteMaintainRepository", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], [Object(s, "*")]),
            List(s),
        ]);
    }

    private static string Object(BucketSettings s, string key) => $"arn:aws:s3:::{s.Bucket}/{s.Prefix}{key}";

    private static JsonObject List(BucketSettings s)
    {
        var statement = Statement("OffsiteListRepository", ["s3:ListBucket"], [$"arn:aws:s3:::{s.Bucket}"]);
        if (s.Prefix.Length > 0)
        {
            statement["Condition"] = new JsonObject { ["StringLike"] = new JsonObject { ["s3:prefix"] = new JsonArray(s.Prefix + "*") } };
        }
        return statement;
    }

    private static JsonObject Statement(string sid, string[] actions, string[] resources) => new()
    {
        ["Sid"] = sid,
        ["Effect"] = "Allow",
        ["Action"] = new JsonArray([.. actions.Select(a => (JsonNode)a)]),
        ["Resource"] = new JsonArray([.. resources.Select(r => (JsonNode)r)]),
    };

    private static JsonObject Document(IEnumerable<JsonNode> statements) => new()
    {
        ["Version"] = "2012-10-17",
        ["Statement"] = new JsonArray([.. statements]),
    };
}
