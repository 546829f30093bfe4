using Amazon.S3.Model;
using Xunit.Abstractions;

namespace Offsite.Storage.Tests;

/// <summary>
/// Storage classes on Ceph RGW, whose placement target has a second class, COLD (scripts/peers.sh), and whose
/// lifecycle "day" is 10 s: `backup --storage-class` puts only data packs in the class and tags them;
/// `bucket setup --transition-days 1 --transition-class COLD` moves tagged data packs and nothing else.
/// </summary>
public sealed class S3StorageClassTests(ITestOutputHelper output)
{
    private const string Cold = "COLD";

    [S3Fact]
    public async Task Data_packs_go_to_the_class_and_the_transition_rule_moves_only_them()
    {
        await RequireColdClassAsync();
        string bucket = await S3TestEnv.CreateBucketAsync("sclass");
        using var cli = new S3Cli($"s3:{S3TestEnv.Endpoint}/{bucket}/repo");
        cli.Ok("bucket", "setup", "--transition-days", "1", "--transition-class", Cold);
        cli.Ok("init", "--pack-size", "1");
        string src = cli.MakeSource(8);

        // Written straight into COLD: data packs only.
        cli.Ok("backup", "--storage-class", Cold, src);
        var first = await ClassesAsync(bucket);
        var data = first.Where(o => o.Tagged).ToList();
        Assert.True(data.Count >= 2, $"{data.Count} tagged packs");
        Assert.All(data, o => Assert.Equal(Cold, o.Class));
        Assert.Contains(first, o => o.Key.Contains("/packs/", StringComparison.Ordinal) && !o.Tagged && o.Class == "STANDARD"); // the tree pack
        Assert.All(first.Where(o => !o.Key.Contains("/packs/", StringComparison.Ordinal)), o => Assert.Equal("STANDARD", o.Class));

        // Written STANDARD but tagged: the bucket's transition rule moves them after a (10 s) day, and only them.
        File.WriteAllBytes(Path.Combine(src, "fresh.bin"), RandomBytes(3 << 20, 21));
        cli.Ok("backup", "--storage-class", "STANDARD", src);
        var second = (await ClassesAsync(bucket)).Where(o => !first.Any(f => f.Key == o.Key)).ToList();
        var fresh = second.Where(o => o.Tagged).Select(o => o.Key).ToHashSet();
        Assert.NotEmpty(fresh);
        Assert.All(second, o => Assert.Equal("STANDARD", o.Class));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        List<(string Key, string Class, bool Tagged)> now;
        do
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            now = await ClassesAsync(bucket);
        }
        while (!now.Where(o => fresh.Contains(o.Key)).All(o => o.Class == Cold) && clock.Elapsed < TimeSpan.FromSeconds(120));
        output.WriteLine($"transitioned after {clock.Elapsed.TotalSeconds:0} s");
        Assert.All(now.Where(o => fresh.Contains(o.Key)), o => Assert.Equal(Cold, o.Class));
        Assert.All(now.Where(o => !o.Tagged), o => Assert.Equal("STANDARD", o.Class)); // tree packs, index, snapshots, config, keys

        // RGW serves its COLD class directly: restore and a full check work as usual.
        cli.Ok("restore", "latest", "--target", cli["restored"]);
        S3Cli.AssertSameTree(src, cli["restored"] + src);
        cli.Ok("check", "--read-data");
    }

    private static byte[] RandomBytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    /// <summary>Every object under repo/: its storage class (HEAD) and whether it carries the data-pack tag.</summary>
    private static async Task<List<(string Key, string Class, bool Tagged)>> ClassesAsync(string bucket)
    {
        using var client = S3TestEnv.Client();
        var list = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = "repo/" });
        var result = new List<(string, string, bool)>();
        foreach (var o in list.S3Objects ?? [])
        {
            var head = await client.GetObjectMetadataAsync(bucket, o.Key);
            var tags = await client.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = o.Key });
            bool tagged = tags.Tagging?.Any(t => t.Key == "offsite-pack" && t.Value == "data") == true;
            result.Add((o.Key, head.StorageClass?.Value is { Length: > 0 } c ? c : "STANDARD", tagged));
        }
        return result;
    }

    private static async Task RequireColdClassAsync()
    {
        string conf = S3TestEnv.CephConf ?? throw new InvalidOperationException("OFFSITE_TEST_CEPH_CONF is not set (bash scripts/peers.sh env)");
        var r = await ProcRunner.RunAsync("/usr/bin/radosgw-admin", ["-c", conf, "zonegroup", "placement", "list"]);
        Assert.True(r.Stdout.Contains($"\"{Cold}\"", StringComparison.Ordinal),
            $"the test RGW has no {Cold} storage class: restart it with this branch's scripts/peers.sh (`peers.sh stop rgw; peers.sh start rgw`), which adds one");
    }
}
