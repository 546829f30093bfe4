using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Offsite.Core.Errors;
using Offsite.Core.Repository;
using Offsite.Core.Snapshots;
using Offsite.Core.Trees;

namespace Offsite.Core.Tests.Serialization;

/// <summary>
/// The hand-written JSON of trees, snapshots and the config: byte for byte what the serializer wrote
/// (tree blob ids and the config MAC depend on it), read back field for field, and malformed input
/// reported as a damaged object.
/// </summary>
public sealed class FormatJsonTests
{
    private static readonly string[] Awkward =
    [
        "plain", "", "with space", "quote\"back\\slash", "<html>&'", "plus+sign", "tab\there\nnewline",
        "ctrl\u0001\u001f", "ünïcödé", "日本語", "emoji 😀", "\u2028\u2029", "ASCII~`!@#$%^*()",
    ];

    private static Node RandomNode(Random rng, int i)
    {
        string Pick() => Awkward[rng.Next(Awkward.Length)] + i;
        string? Maybe() => rng.Next(3) == 0 ? null : Pick();
        var type = (NodeType)rng.Next(7);
        var n = new Node
        {
            Type = type,
            Mode = (uint)rng.Next(0, 4096),
            Uid = (uint)rng.NextInt64(0, uint.MaxValue),
            Gid = (uint)rng.Next(),
            User = Maybe(),
            Group = Maybe(),
            MtimeNs = rng.NextInt64(long.MinValue, long.MaxValue),
            Size = rng.NextInt64(0, long.MaxValue),
        };
        if (rng.Next(2) == 0) n.Name = Pick(); else n.NameBytes = [0xff, (byte)i, 0xc3, 0x28];
        if (rng.Next(4) == 0) { n.Inode = (ulong)rng.NextInt64(); n.Device = ulong.MaxValue; n.Links = 2; }
        if (rng.Next(4) == 0) n.Rdev = (ulong)rng.Next();
        if (type == NodeType.Symlink)
        {
            if (rng.Next(2) == 0) n.LinkTarget = "../" + Pick(); else n.LinkTargetBytes = [0x80, 0x2f];
        }
        if (type == NodeType.File) n.Content = Enumerable.Range(0, rng.Next(0, 4)).Select(k => Convert.ToHexStringLower(BitConverter.GetBytes(rng.NextInt64() + k)).PadLeft(64, '0')).ToList();
        if (type == NodeType.Directory) n.Subtree = new string('e', 64);
        if (rng.Next(5) == 0)
        {
            n.Object = new ObjectMetadata
            {
                ETag = "\"abc-3\"", ContentType = Maybe(), CacheControl = Maybe(), ContentEncoding = Maybe(), ContentDisposition = Maybe(),
                ContentLanguage = Maybe(), Expires = Maybe(), WebsiteRedirect = Maybe(), StorageClass = Maybe(), VersionId = Maybe(),
                Latest = rng.Next(3) switch { 0 => null, 1 => true, _ => false }, Parts = rng.Next(2) == 0 ? null : rng.Next(1, 10000),
                UserMetadata = rng.Next(2) == 0 ? null : new SortedDictionary<string, string>(StringComparer.Ordinal) { ["b-key"] = Pick(), ["a+key"] = Pick() },
            };
        }
        return n;
    }

    [Fact]
    public void Tree_bytes_equal_the_serializers_and_read_back_the_same()
    {
        var rng = new Random(1234);
        for (int round = 0; round < 50; round++)
        {
            var tree = new Tree { Nodes = Enumerable.Range(0, rng.Next(0, 40)).Select(i => RandomNode(rng, i)).ToList() };
            byte[] expected = JsonSerializer.SerializeToUtf8Bytes(tree, SerializerContext.Default.Tree);
            byte[] written = tree.Serialize();
            Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(written));
            var reread = Tree.Parse(expected, "test");
            Assert.Equal(expected, JsonSerializer.SerializeToUtf8Bytes(reread, SerializerContext.Default.Tree));
        }
    }

    private static Snapshot SampleSnapshot(string? username) => new()
    {
        Time = new DateTimeOffset(2026, 12, 3, 10, 8, 44, 123, TimeSpan.FromHours(5.5)).AddTicks(4567),
        Host = "db-1+eu", Username = username, Source = "pg:host:5432/app\"x\"", Paths = ["/etc", "/srv/ünï"], Tags = ["a", "<b>"],
        Tree = new string('1', 64), Program = "offsite 0.1.0",
        Stats = new SnapshotStats { Files = 5, Directories = 2, Bytes = long.MaxValue, NewBlobs = 3, AddedBytes = 4, AddedStoredBytes = 5, DurationSeconds = 12.3456789012345, Unreadable = 1 },
    };

    [Theory]
    [InlineData("root")]
    [InlineData(null)]
    public void Snapshot_bytes_equal_the_serializers_and_read_back_the_same(string? username)
    {
        var s = SampleSnapshot(username);
        byte[] expected = JsonSerializer.SerializeToUtf8Bytes(s, SerializerContext.Default.Snapshot);
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(s.Serialize()));
        var reread = Snapshot.Parse(expected, "id1");
        Assert.Equal("id1", reread.Id);
        Assert.Equal(expected, JsonSerializer.SerializeToUtf8Bytes(reread, SerializerContext.Default.Snapshot));
    }

    private static RepositoryConfig SampleConfig(bool retention) => new()
    {
        Id = new string('a', 64), Recipient = "age1y9wxsscucqteskvuw0f649n8gt8agk0frwgn6jv2rye2zm5zkqdq0ckxzl",
        Created = DateTimeOffset.Parse("2026-12-03T10:08:44.6995348+00:00", CultureInfo.InvariantCulture),
        CompressionLevel = 7, PackSize = 32 << 20, Chunker = new ChunkerConfig { Min = 1, Average = 2, Max = 3 },
        Retention = retention ? new RetentionConfig { ExpireDays = 30, RefreshDays = 7, DaySeconds = 60 } : null,
        Mac = new string('f', 64),
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Config_bytes_and_mac_input_equal_the_serializers(bool retention)
    {
        var c = SampleConfig(retention);
        byte[] expected = JsonSerializer.SerializeToUtf8Bytes(c, SerializerContext.Default.RepositoryConfig);
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(c.Serialize()));

        // The MAC covered the serializer's document as a node without "mac", written out again.
        var node = JsonSerializer.SerializeToNode(c, SerializerContext.Default.RepositoryConfig)!.AsObject();
        node.Remove("mac");
        Assert.Equal(node.ToJsonString(), Encoding.UTF8.GetString(ConfigAuthentication.CanonicalBytes(c)));

        var reread = RepositoryConfig.Parse(expected);
        Assert.Equal(expected, JsonSerializer.SerializeToUtf8Bytes(reread, SerializerContext.Default.RepositoryConfig));
    }

    [Fact]
    public void A_config_written_by_the_serializer_with_a_real_mac_still_verifies()
    {
        // A repository made before the hand-written codec: its config and MAC came from the serializer.
        var identity = Offsite.Crypto.Age.X25519Identity.Generate();
        var c = SampleConfig(retention: true);
        c.Recipient = identity.Recipient.ToString();
        var key = Offsite.Core.Keys.RepositoryKey.FromIdentity(identity, c.Id);
        var node = JsonSerializer.SerializeToNode(c, SerializerContext.Default.RepositoryConfig)!.AsObject();
        node.Remove("mac");
        byte[] macKey = System.Security.Cryptography.HKDF.DeriveKey(System.Security.Cryptography.HashAlgorithmName.SHA256, key.BlobIdKey, 32,
            Encoding.ASCII.GetBytes("offsite/v1/" + c.Id), Encoding.ASCII.GetBytes("config-mac"));
        c.Mac = Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(macKey, Encoding.UTF8.GetBytes(node.ToJsonString())));
        var stored = JsonSerializer.SerializeToUtf8Bytes(c, SerializerContext.Default.RepositoryConfig);
        ConfigAuthentication.Verify(RepositoryConfig.Parse(stored), key, "test", Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
    }

    [Fact]
    public void Unknown_fields_are_skipped_and_enum_numbers_accepted()
    {
        var tree = Tree.Parse("""{"future":{"a":[1,2,{"b":null}]},"nodes":[{"name":"x","type":1,"extra":"y","mode":493,"subtree":"ab"}]}"""u8, "t");
        var n = Assert.Single(tree.Nodes);
        Assert.Equal(NodeType.Directory, n.Type);
        Assert.Equal(493u, n.Mode);
        var s = Snapshot.Parse("""{"time":"2026-01-01T00:00:00Z","host":"h","later":[],"source":"s","paths":["/"],"tags":[],"tree":"t","program":"p","stats":{"files":1,"new":2}}"""u8, "i");
        Assert.Equal(1, s.Stats.Files);
    }

    public static TheoryData<string> MalformedTrees() => new()
    {
        "", "{", "[]", "{\"nodes\":{}}", "{\"nodes\":[{\"name\":1}]}", "{\"nodes\":[{\"type\":\"door\"}]}", "{\"nodes\":[{\"type\":9}]}",
        "{\"nodes\":[{\"mode\":-1}]}", "{\"nodes\":[{\"mode\":\"755\"}]}", "{\"nodes\":[{\"size\":1.5}]}", "{\"nodes\":[{\"nameBytes\":\"!!\"}]}",
        "{\"nodes\":[{\"content\":[1]}]}", "{\"nodes\":[]}{}", "{\"nodes\":[]} x", "{\"nodes\":[{\"object\":{\"userMetadata\":{\"a\":1}}}]}",
        "{\"nodes\":[{\"name\":\"a\"", "{\"nodes\":[{\"mtime\":99999999999999999999}]}",
    };

    [Theory]
    [MemberData(nameof(MalformedTrees))]
    public void A_malformed_tree_is_reported_damaged(string json)
    {
        var e = Assert.Throws<OffsiteException>(() => Tree.Parse(Encoding.UTF8.GetBytes(json), "tree 1234"));
        Assert.Equal(ErrorKind.RepositoryDamaged, e.Kind);
        Assert.StartsWith("tree 1234: tree is not valid JSON", e.Message);
    }

    [Theory]
    [InlineData("{\"time\":\"yesterday\"}")]
    [InlineData("{\"host\":null}")]
    [InlineData("{\"stats\":{\"files\":\"1\"}}")]
    [InlineData("{\"paths\":[\"/\",2]}")]
    [InlineData("{\"time\":\"2026-01-01T00:00:00Z\"")]
    public void A_malformed_snapshot_is_reported_damaged(string json)
    {
        var e = Assert.Throws<OffsiteException>(() => Snapshot.Parse(Encoding.UTF8.GetBytes(json), "abcd"));
        Assert.Equal(ErrorKind.RepositoryDamaged, e.Kind);
    }

    [Theory]
    [InlineData("{\"version\":\"1\"}")]
    [InlineData("{\"chunker\":null}")]
    [InlineData("{\"packSize\":4294967296}")]
    [InlineData("not json")]
    public void A_malformed_config_is_reported_damaged(string json)
    {
        var e = Assert.Throws<OffsiteException>(() => RepositoryConfig.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(ErrorKind.RepositoryDamaged, e.Kind);
    }
}
