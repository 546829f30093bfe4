using System.Text;
using Offsite.Sources.S3;

namespace Offsite.Sources.Tests.S3;

/// <summary>Keys ↔ tree names: every key survives, names are valid file names, and no two keys meet.</summary>
public sealed class S3KeyCodecTests
{
    private static readonly string Long300 = new('L', 300);
    private static readonly string LongUtf8 = string.Concat(Enumerable.Repeat("é€𝄞", 60)); // 2, 3 and 4-byte characters, 540 bytes

    public static TheoryData<string> OddKeys => new(OddKeyList);

    private static readonly string[] OddKeyList =
    [
        "plain.txt", "a/b/c", "a//b", "//", "/", "/lead", "trail/", "./x", "../x", "a/./b", "a/../b", ".", "..", "...",
        "%", "%%", "%25", "%+", "%v1", "a%", "100%/x", "%a%", "ctl\u0001x", "tab\there", "new\nline", "del\u007f",
        "sp ace+plus~é=&", "emoji 🎉/x", Long300, Long300 + "/" + Long300 + "/f", LongUtf8, "d/" + LongUtf8 + "%",
        new string('%', 200), "-", "x" + new string('/', 5),
    ];

    [Theory]
    [MemberData(nameof(OddKeys))]
    public void Every_key_round_trips_through_valid_names(string key)
    {
        foreach (bool collides in new[] { false, true })
        {
            var names = Names(key, collides, null);
            foreach (string name in names)
            {
                Assert.True(IsValidFileName(name), $"'{name}' is not a valid file name (key '{key}')");
            }
            var (back, version) = S3KeyCodec.KeyOf(names);
            Assert.Equal(key, back);
            Assert.Null(version);
        }
    }

    [Theory]
    [MemberData(nameof(OddKeys))]
    public void A_noncurrent_version_keeps_its_key_and_version_id(string key)
    {
        var names = Names(key, false, "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY");
        Assert.All(names, n => Assert.True(IsValidFileName(n), n));
        Assert.Equal((key, "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"), S3KeyCodec.KeyOf(names));
    }

    [Fact]
    public void Different_keys_never_share_a_path()
    {
        var keys = OddKeyList.ToList();
        keys.AddRange(["a", "a/", "a/b", "%a", "%a%", "a%25"]);
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string key in keys)
        {
            foreach (bool collides in new[] { false, true })
            {
                foreach (string? version in new[] { null, "v1", "v2" })
                {
                    string path = string.Join('/', Names(key, collides, version));
                    string who = $"{key} (collides {collides}, version {version})";
                    if (paths.TryGetValue(path, out string? other) && !SameObject(other, who, key, collides, version))
                    {
                        Assert.Fail($"{who} and {other} both become {path}");
                    }
                    paths[path] = who;
                }
            }
        }
    }

    // A plain name and its collision spelling differ, but a version id always decides: only exact repeats may meet.
    private static bool SameObject(string other, string who, string key, bool collides, string? version) => other == who
        || (version is not null && other == $"{key} (collides {!collides}, version {version})");

    [Fact]
    public void Plain_names_stay_readable_and_odd_ones_are_escaped()
    {
        Assert.Equal(["photos", "2024", "img 1.jpg"], Names("photos/2024/img 1.jpg", false, null));
        Assert.Equal(["%", "x"], Names("/x", false, null));
        Assert.Equal(["a", "%"], Names("a/", false, null));
        Assert.Equal(["%.", "%.."], Names("./..", false, null));
        Assert.Equal(["%%25x"], Names("%x", false, null));
        Assert.Equal(["%a%"], Names("a", true, null));
        Assert.Equal(["%ctl%01x"], Names("ctl\u0001x", false, null));
        Assert.Equal(["%a%vid%25"], Names("a", false, "id%"));
    }

    [Fact]
    public void A_piece_longer_than_a_name_continues_in_child_directories()
    {
        var names = S3KeyCodec.Encode(Long300);
        Assert.Equal(2, names.Count);
        Assert.EndsWith("%+", names[0], StringComparison.Ordinal);
        Assert.All(names, n => Assert.True(Encoding.UTF8.GetByteCount(n) <= 255));
        var utf8 = S3KeyCodec.Encode(LongUtf8);
        Assert.True(utf8.Count >= 3);
        // No character is cut in two: every name is valid UTF-8 on its own.
        Assert.All(utf8, n => Assert.Equal(n, Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(n))));
        // Escapes are not cut either: 200 '%' become 600 bytes of %25 in whole triples.
        Assert.All(S3KeyCodec.Encode(new string('%', 200)), n => Assert.Matches("^%(%25)*(%\\+)?$", n));
    }

    [Theory]
    [InlineData("%a%zz")]     // not hex
    [InlineData("%a%2")]      // escape cut short
    [InlineData("%%C3")]      // an escape that is not UTF-8 on its own
    [InlineData("%x%v")]      // empty version id
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    public void Malformed_names_are_rejected(string name)
    {
        Assert.Throws<FormatException>(() => S3KeyCodec.KeyOf([name]));
    }

    [Fact]
    public void Malformed_paths_are_rejected()
    {
        Assert.Throws<FormatException>(() => S3KeyCodec.KeyOf(["%abc%+"]));       // continues but nothing follows
        Assert.Throws<FormatException>(() => S3KeyCodec.KeyOf(["%a%", "b"]));     // a collision name used as a directory
        Assert.Throws<FormatException>(() => S3KeyCodec.KeyOf(["%a%vX", "b"]));   // a version used as a directory
        Assert.Throws<FormatException>(() => S3KeyCodec.KeyOf([]));
    }

    /// <summary>The names of a key's file and directories, as the source builds them.</summary>
    private static List<string> Names(string key, bool collides, string? version)
    {
        string[] pieces = S3KeyCodec.Split(key);
        var names = new List<string>();
        for (int i = 0; i < pieces.Length; i++)
        {
            bool last = i == pieces.Length - 1;
            names.AddRange(S3KeyCodec.Encode(pieces[i], last && collides, last ? version : null));
        }
        return names;
    }

    private static bool IsValidFileName(string name) =>
        name.Length > 0 && name is not ("." or "..") && !name.Contains('/') && !name.Contains('\0')
        && Encoding.UTF8.GetByteCount(name) <= 255;
}
