using System.Text.Json.Nodes;

namespace Offsite.Storage.S3;

/// <summary>
/// The bucket configuration and IAM policies as JSON, in the shapes the S3 API and IAM take them
/// (so the printed documents can also be applied with awscli: put-bucket-versioning,
/// put-object-lock-configuration, put-bucket-lifecycle-configuration, iam put-role-policy).
/// </summary>
public static class BucketPlan
{
    public static JsonObject ToJson(BucketSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var plan = new JsonObject
        {
            ["bucket"] = s.Bucket,
            ["prefix"] = s.Prefix,
            ["versioning"] = new JsonObject { ["Status"] = "Enabled" },
            ["objectLock"] = s.Lock == ObjectLockKind.None ? null : new JsonObject
            {
                ["ObjectLockEnabled"] = "Enabled",
                ["Rule"] = new JsonObject { ["DefaultRetention"] = new JsonObject { ["Mode"] = ModeName(s.Lock), ["Days"] = s.LockDays } },
            },
            ["lifecycle"] = new JsonObject { ["Rules"] = new JsonArray([.. LifecycleRules(s)]) },
            ["policies"] = new JsonObject
            {
                ["backup"] = BucketPolicies.Backup(s),
                ["restore"] = BucketPolicies.Restore(s),
                ["janitor"] = BucketPolicies.Janitor(s),
                ["copy"] = BucketPolicies.Copy(s),
            },
        };
        return plan;
    }

    /// <summary>The lifecycle rule that moves data packs (only) to a colder class.</summary>
    public const string TransitionRuleId = "offsite-transition-data-packs";

    public static string ModeName(ObjectLockKind kind) => kind == ObjectLockKind.Compliance ? "COMPLIANCE" : "GOVERNANCE";

    private static IEnumerable<JsonNode> LifecycleRules(BucketSettings s)
    {
        JsonObject Filter() => new() { ["Prefix"] = s.Prefix };
        yield return new JsonObject
        {
            ["ID"] = "offsite-abort-incomplete-uploads",
            ["Status"] = "Enabled",
            ["Filter"] = Filter(),
            ["AbortIncompleteMultipartUpload"] = new JsonObject { ["DaysAfterInitiation"] = 1 },
        };
        yield return new JsonObject
        {
            ["ID"] = "offsite-noncurrent-versions",
            ["Status"] = "Enabled",
            ["Filter"] = Filter(),
            ["NoncurrentVersionExpiration"] = new JsonObject { ["NoncurrentDays"] = s.NoncurrentDays },
        };
        yield return new JsonObject
        {
            ["ID"] = "offsite-delete-markers",
            ["Status"] = "Enabled",
            ["Filter"] = Filter(),
            ["Expiration"] = new JsonObject { ["ExpiredObjectDeleteMarker"] = true },
        };
        if (s.TransitionDays is int after && s.TransitionClass is { } storageClass)
        {
            string[] tag = S3Options.DataPackTag.Split('=');
            yield return new JsonObject
            {
                ["ID"] = TransitionRuleId,
                ["Status"] = "Enabled",
                ["Filter"] = new JsonObject
                {
                    ["And"] = new JsonObject
                    {
                        ["Prefix"] = s.DataPackPrefix,
                        ["Tags"] = new JsonArray(new JsonObject { ["Key"] = tag[0], ["Value"] = tag[1] }),
                    },
                },
                ["Transitions"] = new JsonArray(new JsonObject { ["Days"] = after, ["StorageClass"] = storageClass }),
            };
        }
        if (s.ExpireDays is int days)
        {
            foreach (var (name, prefix) in s.ExpiringPrefixes)
            {
                yield return new JsonObject
                {
                    ["ID"] = "offsite-expire-" + name,
                    ["Status"] = "Enabled",
                    ["Filter"] = new JsonObject { ["Prefix"] = prefix },
                    ["Expiration"] = new JsonObject { ["Days"] = days },
                };
            }
        }
    }
}
