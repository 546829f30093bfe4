using Amazon.S3;
using Amazon.S3.Model;
using Offsite.Core.Storage;

namespace Offsite.Storage.S3;

/// <summary>Applies <see cref="BucketSettings"/> to a bucket: creates it if missing, then versioning, Object Lock defaults and lifecycle.</summary>
public sealed class BucketConfigurator(IAmazonS3 client)
{
    /// <summary>Returns one line per action taken, for the operator.</summary>
    public async Task<IReadOnlyList<string>> ApplyAsync(BucketSettings s, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(s);
        var done = new List<string>();
        try
        {
            if (!await ExistsAsync(s.Bucket, cancellationToken).ConfigureAwait(false))
            {
                await client.PutBucketAsync(new PutBucketRequest { BucketName = s.Bucket, ObjectLockEnabledForBucket = s.Lock != ObjectLockKind.None }, cancellationToken).ConfigureAwait(false);
                done.Add($"created bucket {s.Bucket}" + (s.Lock != ObjectLockKind.None ? " with Object Lock enabled" : ""));
            }
            await client.PutBucketVersioningAsync(new PutBucketVersioningRequest
            {
                BucketName = s.Bucket,
                VersioningConfig = new S3BucketVersioningConfig { Status = VersionStatus.Enabled },
            }, cancellationToken).ConfigureAwait(false);
            done.Add("versioning enabled");
            if (s.Lock != ObjectLockKind.None)
            {
                await client.PutObjectLockConfigurationAsync(new PutObjectLockConfigurationRequest
                {
                    BucketName = s.Bucket,
                    ObjectLockConfiguration = new ObjectLockConfiguration
                    {
                        ObjectLockEnabled = ObjectLockEnabled.Enabled,
                        Rule = new ObjectLockRule { DefaultRetention = new DefaultRetention { Mode = new ObjectLockRetentionMode(BucketPlan.ModeName(s.Lock)), Days = s.LockDays } },
                    },
                }, cancellationToken).ConfigureAwait(false);
                done.Add($"Object Lock default retention: {BucketPlan.ModeName(s.Lock).ToLowerInvariant()}, {s.LockDays} day(s)");
            }
            await client.PutLifecycleConfigurationAsync(new PutLifecycleConfigurationRequest
            {
                BucketName = s.Bucket,
                Configuration = new LifecycleConfiguration { Rules = Rules(s) },
            }, cancellationToken).ConfigureAwait(false);
            done.Add($"lifecycle: abort incomplete uploads after 1 day, remove old versions after {s.NoncurrentDays} day(s)"
                + (s.ExpireDays is int e ? $", expire objects after {e} day(s)" : "")
                + (s.TransitionDays is int t ? $", move data packs to {s.TransitionClass} after {t} day(s)" : ""));
        }
        catch (Exception e) when (S3Errors.ShouldWrap(e))
        {
            throw new StorageException($"bucket setup of {s.Bucket} stopped after [{string.Join("; ", done)}]: {S3Errors.Wrap("configure", s.Bucket, e).Message}", e);
        }
        return done;
    }

    private async Task<bool> ExistsAsync(string bucket, CancellationToken cancellationToken)
    {
        try
        {
            await client.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = bucket }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket" || e.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    private static List<LifecycleRule> Rules(BucketSettings s)
    {
        LifecycleFilter Filter() => new() { Prefix = s.Prefix };
        var rules = new List<LifecycleRule>
        {
            new()
            {
                Id = "offsite-abort-incomplete-uploads", Status = LifecycleRuleStatus.Enabled, Filter = Filter(),
                AbortIncompleteMultipartUpload = new LifecycleRuleAbortIncompleteMultipartUpload { DaysAfterInitiation = 1 },
            },
            new()
            {
                Id = "offsite-noncurrent-versions", Status = LifecycleRuleStatus.Enabled, Filter = Filter(),
                NoncurrentVersionExpiration = new LifecycleRuleNoncurrentVersionExpiration { NoncurrentDays = s.NoncurrentDays },
            },
            new()
            {
                Id = "offsite-delete-markers", Status = LifecycleRuleStatus.Enabled, Filter = Filter(),
                Expiration = new LifecycleRuleExpiration { ExpiredObjectDeleteMarker = true },
            },
        };
        if (s.ExpireDays is int days)
        {
            foreach (var (name, prefix) in s.ExpiringPrefixes)
            {
                rules.Add(new LifecycleRule
                {
                    Id = "offsite-expire-" + name, Status = LifecycleRuleStatus.Enabled, Filter = new LifecycleFilter { Prefix = prefix },
                    Expiration = new LifecycleRuleExpiration { Days = days },
                });
            }
        }
        if (s.TransitionDays is int after && s.TransitionClass is { } storageClass)
        {
            string[] tag = S3Options.DataPackTag.Split('=');
            rules.Add(new LifecycleRule
            {
                Id = BucketPlan.TransitionRuleId, Status = LifecycleRuleStatus.Enabled,
                Filter = new LifecycleFilter
                {
                    And = new LifecycleRuleAndOperator { Prefix = s.DataPackPrefix, Tags = [new Tag { Key = tag[0], Value = tag[1] }] },
                },
                Transitions = [new LifecycleTransition { Days = after, StorageClass = new S3StorageClass(storageClass) }],
            });
        }
        return rules;
    }
}
