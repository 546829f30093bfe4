using System.IO.Compression;
using System.Text;

namespace Offsite.Crypto.Tests;

/// <summary>One file of the C2SP/age testkit: "key: value" lines, a blank line, then the age file.</summary>
public sealed class TestkitVector
{
    public static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "testdata", "age-testkit");

    public required string Name { get; init; }
    public required string Expect { get; init; }
    public string? PayloadSha256 { get; init; }
    public required IReadOnlyList<string> Identities { get; init; }
    public required IReadOnlyList<string> Passphrases { get; init; }
    public bool Armored { get; init; }
    public required byte[] Body { get; init; }

    /// <summary>Why this vector is not run, or null if it is supported.</summary>
    public string? SkipReason =>
        Armored ? "ASCII armor is not supported by Offsite"
        : Identities.Any(i => i.StartsWith("AGE-SECRET-KEY-PQ-", StringComparison.Ordinal)) ? "needs an ML-KEM-768+X25519 hybrid identity, not supported by Offsite"
        : null;

    public static IEnumerable<string> AllNames() =>
        System.IO.Directory.GetFiles(Directory)
            .Select(Path.GetFileName)
            .Where(n => n is not null && n != "README.md")
            .Select(n => n!)
            .Order(StringComparer.Ordinal);

    public static TestkitVector Load(string name)
    {
        byte[] raw = File.ReadAllBytes(Path.Combine(Directory, name));
        int split = raw.AsSpan().IndexOf("\n\n"u8);
        if (split < 0)
        {
            throw new InvalidDataException($"{name}: no blank line after the vector header");
        }
        string headerText = Encoding.UTF8.GetString(raw, 0, split);
        byte[] body = raw[(split + 2)..];

        string expect = "";
        string? payload = null;
        bool armored = false;
        bool compressed = false;
        var identities = new List<string>();
        var passphrases = new List<string>();
        foreach (string line in headerText.Split('\n'))
        {
            int colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon < 0)
            {
                throw new InvalidDataException($"{name}: bad header line '{line}'");
            }
            string key = line[..colon];
            string value = line[(colon + 2)..];
            switch (key)
            {
                case "expect": expect = value; break;
                case "payload": payload = value; break;
                case "identity": identities.Add(value); break;
                case "passphrase": passphrases.Add(value); break;
                case "armored": armored = value == "yes"; break;
                case "compressed":
                    Assert.Equal("zlib", value);
                    compressed = true;
                    break;
                case "file key":
                case "comment":
                    break;
                default:
                    throw new InvalidDataException($"{name}: unknown key '{key}'");
            }
        }
        if (compressed)
        {
            using var input = new ZLibStream(new MemoryStream(body), CompressionMode.Decompress);
            using var output = new MemoryStream();
            input.CopyTo(output);
            body = output.ToArray();
        }
        return new TestkitVector
        {
            Name = name, Expect = expect, PayloadSha256 = payload, Identities = identities,
            Passphrases = passphrases, Armored = armored, Body = body,
        };
    }
}
