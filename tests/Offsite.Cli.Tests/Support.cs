using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

namespace Offsite.Cli.Tests;

/// <summary>The real tools (age, zstd, diff, find, stat, sh) these tests run through <see cref="ProcRunner"/>. Missing tools fail the test.</summary>
internal static class Proc
{
    public const string Age = "/usr/bin/age";
    public const string Zstd = "/usr/bin/zstd";
    public const string Diff = "/usr/bin/diff";
    public const string Stat = "/usr/bin/stat";
    public const string Find = "/usr/bin/find";
    public const string Sh = "/bin/sh";

    public static string Require(string tool)
    {
        Assert.True(File.Exists(tool), $"{tool} is required by these end-to-end tests");
        return tool;
    }

    /// <summary>Runs a tool and asserts it succeeded.</summary>
    public static ProcResult Ok(string program, params string[] args)
    {
        var r = ProcRunner.Run(Require(program), args);
        Assert.True(r.ExitCode == 0, $"{program} {string.Join(' ', args)} failed: {r}");
        return r;
    }

    /// <summary>Runs a shell script line and asserts it succeeded.</summary>
    public static ProcResult Shell(string script) => Ok(Sh, "-c", script);

    public static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}

/// <summary>A scratch directory under /tmp, removed with `rm -rf` (it may hold names the BCL cannot handle).</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir(string tag = "cli")
    {
        Path = System.IO.Path.Combine("/tmp", $"offsite-{tag}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public string Sub(string relative)
    {
        string p = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(p);
        return p;
    }

    public void Dispose()
    {
        // chattr-free tree, but restored files may be read-only or setuid: rm -rf as the owner (root) handles all.
        var r = ProcRunner.Run("/bin/rm", ["-rf", "--one-file-system", Path]);
        if (r.ExitCode != 0)
        {
            Console.Error.WriteLine($"warning: could not remove {Path}: {r.Stderr}");
        }
    }
}

/// <summary>
/// One repository under test: its own temp dir, repository, cache and a clean environment
/// (no inherited OFFSITE_* variables), with fast key wrapping.
/// </summary>
internal sealed class Sandbox : IDisposable
{
    public const string Password = "correct horse battery staple";
    private static readonly string[] Inherited = ["OFFSITE_REPOSITORY", "OFFSITE_PASSWORD", "OFFSITE_PASSWORD_FILE", "OFFSITE_PASSWORD_COMMAND", "OFFSITE_KEY_FILE", "OFFSITE_KEY_COMMAND", "OFFSITE_CACHE_DIR", "OFFSITE_NEW_PASSWORD", "OFFSITE_STATE_DIR"];

    public Sandbox(bool init = true)
    {
        Dir = new TempDir();
        Repo = Dir["repo"];
        Cache = Dir["cache"];
        foreach (string name in Inherited)
        {
            Env[name] = null;
        }
        Env["OFFSITE_REPOSITORY"] = Repo;
        Env["OFFSITE_PASSWORD"] = Password;
        Env["OFFSITE_CACHE_DIR"] = Cache;
        Env["OFFSITE_STATE_DIR"] = Dir["state"];
        Env["OFFSITE_SCRYPT_LOG_N"] = "12";
        Env["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        Env["DOTNET_NOLOGO"] = "1";
        if (init)
        {
            Ok("init");
        }
    }

    public static string OffsiteDll => System.IO.Path.Combine(AppContext.BaseDirectory, "offsite.dll");

    public TempDir Dir { get; }
    public string Repo { get; }
    public string Cache { get; }
    public Dictionary<string, string?> Env { get; } = new(StringComparer.Ordinal);

    public string Path(string relative) => Dir[relative];

    public ProcResult Run(params string[] args) => RunWith(null, null, args);

    /// <summary>Runs offsite with extra environment (null removes a variable) and optional stdin.</summary>
    public ProcResult RunWith(IReadOnlyDictionary<string, string?>? env, byte[]? stdin, params string[] args)
    {
        Assert.True(File.Exists(OffsiteDll), $"{OffsiteDll} is missing: the project reference to Offsite.Cli should copy it");
        var merged = new Dictionary<string, string?>(Env, StringComparer.Ordinal);
        foreach (var (k, v) in env ?? new Dictionary<string, string?>())
        {
            merged[k] = v;
        }
        return ProcRunner.Run("dotnet", [OffsiteDll, .. args], merged, stdin);
    }

    /// <summary>Starts offsite in the background (output drained and discarded) for tests that kill it.</summary>
    public Process Start(params string[] args)
    {
        var p = ProcRunner.Start("dotnet", [OffsiteDll, .. args], Env);
        p.StandardInput.Close();
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    public ProcResult Ok(params string[] args) => Expect(0, args);

    public ProcResult Expect(int exitCode, params string[] args) => Expect(exitCode, Run(args), args);

    public static ProcResult Expect(int exitCode, ProcResult r, string[] args)
    {
        Assert.True(r.ExitCode == exitCode, $"offsite {string.Join(' ', args)}: expected exit {exitCode}, got {r}");
        return r;
    }

    /// <summary>Runs a command with --json and returns the parsed output.</summary>
    public JsonNode Json(params string[] args) => Ok(["--json", .. args]).Json();

    public JsonNode Backup(params string[] args) => Json(["backup", .. args]);

    /// <summary>Sum of the sizes of every pack file (what the repository stores for data).</summary>
    public long PackBytes() => PackFiles().Sum(f => new FileInfo(f).Length);

    public IReadOnlyList<string> PackFiles() =>
        Directory.Exists(System.IO.Path.Combine(Repo, "packs"))
            ? Directory.EnumerateFiles(System.IO.Path.Combine(Repo, "packs"), "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList()
            : [];

    public ISet<string> PackIds() => PackFiles().Select(System.IO.Path.GetFileName).OfType<string>().ToHashSet(StringComparer.Ordinal);

    public string PackFile(string id) => System.IO.Path.Combine(Repo, "packs", id[..2], id);

    /// <summary>The biggest of some packs: the data pack of a small backup (trees have packs of their own).</summary>
    public string LargestPack(IEnumerable<string> ids) => ids.MaxBy(id => new FileInfo(PackFile(id)).Length)!;

    public IReadOnlyList<string> Objects(string folder) =>
        Directory.Exists(System.IO.Path.Combine(Repo, folder))
            ? Directory.EnumerateFiles(System.IO.Path.Combine(Repo, folder)).Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>Exports the full identity to a fresh file and returns its path.</summary>
    public string ExportIdentity()
    {
        string file = Path($"identity-{Guid.NewGuid():N}.key");
        Ok("key", "export", "--identity", "-o", file);
        return file;
    }

    public void Dispose() => Dir.Dispose();
}

/// <summary>Decrypting and parsing repository objects with the real age and zstd tools.</summary>
internal static class RepoObjects
{
    public const int EntrySize = 42;
    public const int TrailerSize = 16;
    public const int AgeChunk = 64 * 1024;

    public static byte[] AgeDecrypt(string identityFile, string objectPath)
    {
        var r = ProcRunner.Run(Proc.Require(Proc.Age), ["-d", "-i", identityFile, objectPath]);
        Assert.True(r.ExitCode == 0, $"age -d {objectPath} failed: {r.Stderr}");
        return r.StdoutBytes;
    }

    public static byte[] ZstdDecompress(byte[] frame)
    {
        var r = ProcRunner.Run(Proc.Require(Proc.Zstd), ["-d", "-c", "-q"], stdin: frame);
        Assert.True(r.ExitCode == 0, $"zstd -d failed: {r.Stderr}");
        return r.StdoutBytes;
    }

    /// <summary>Parses a pack's blob table (docs/format.md), computing the implicit offsets.</summary>
    public static List<PackBlob> ReadTable(byte[] plaintext)
    {
        Assert.True(plaintext.Length >= TrailerSize, "pack shorter than its trailer");
        var trailer = plaintext.AsSpan(plaintext.Length - TrailerSize);
        Assert.Equal("OFSPACK1", Encoding.ASCII.GetString(trailer[8..]));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]));
        int count = (int)BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        int tableStart = plaintext.Length - TrailerSize - (count * EntrySize);
        Assert.True(tableStart >= 0, "pack table larger than the pack");
        var blobs = new List<PackBlob>(count);
        long offset = 0;
        for (int i = 0; i < count; i++)
        {
            var e = plaintext.AsSpan(tableStart + (i * EntrySize), EntrySize);
            var blob = new PackBlob(e[0], e[1], BinaryPrimitives.ReadUInt32LittleEndian(e[2..]), BinaryPrimitives.ReadUInt32LittleEndian(e[6..]), Convert.ToHexStringLower(e[10..]), offset);
            blobs.Add(blob);
            offset += blob.Length;
        }
        Assert.Equal(tableStart, offset);
        return blobs;
    }

    /// <summary>Length of an age file's header, up to and including the "--- mac" line.</summary>
    public static int AgeHeaderLength(byte[] stored)
    {
        int macLine = stored.AsSpan().IndexOf("\n---"u8);
        Assert.True(macLine > 0, "no age header MAC line");
        int end = stored.AsSpan(macLine + 1).IndexOf((byte)'\n');
        return macLine + 1 + end + 1;
    }

    /// <summary>Where plaintext STREAM chunk <paramref name="chunk"/> starts in the stored file (header, 16-byte nonce, 64 KiB + 16 tag per chunk).</summary>
    public static long CipherOffsetOfChunk(byte[] stored, long chunk) => AgeHeaderLength(stored) + 16 + (chunk * (AgeChunk + 16));
}

internal sealed record PackBlob(byte Type, byte Compression, uint RawLength, uint Length, string Id, long Offset)
{
    public long End => Offset + Length;
}

/// <summary>Fast deterministic test data (xorshift-style PRNG, no /dev/urandom).</summary>
internal static class Data
{
    /// <summary>Fills <paramref name="buffer"/> with pseudo-random bytes; returns the next state.</summary>
    public static ulong Fill(Span<byte> buffer, ulong state)
    {
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(buffer);
        for (int i = 0; i < words.Length; i++)
        {
            // splitmix64: fast and good enough that zstd finds nothing to compress.
            state += 0x9E3779B97F4A7C15UL;
            ulong z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            words[i] = z ^ (z >> 31);
        }
        for (int i = words.Length * 8; i < buffer.Length; i++)
        {
            state += 0x9E3779B97F4A7C15UL;
            buffer[i] = (byte)(state >> 56);
        }
        return state;
    }

    public static byte[] Random(int length, ulong seed)
    {
        var b = new byte[length];
        Fill(b, seed);
        return b;
    }

    /// <summary>Writes <paramref name="length"/> pseudo-random bytes to a new file.</summary>
    public static void WriteRandomFile(string path, long length, ulong seed)
    {
        using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        var buffer = new byte[1 << 20];
        ulong state = seed;
        for (long left = length; left > 0; left -= buffer.Length)
        {
            int n = (int)Math.Min(left, buffer.Length);
            state = Fill(buffer.AsSpan(0, n), state);
            fs.Write(buffer, 0, n);
        }
    }

    /// <summary>Text that compresses well but is not trivial (numbered lines with some varying words).</summary>
    public static byte[] Compressible(int approxLength, int seed)
    {
        var sb = new StringBuilder(approxLength + 100);
        string[] words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"];
        var rng = new Random(seed);
        for (int i = 0; sb.Length < approxLength; i++)
        {
            sb.Append(i).Append(": ").Append(words[rng.Next(words.Length)]).Append(' ').Append(words[rng.Next(words.Length)]).Append(" the quick brown fox\n");
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}

/// <summary>Whole-tree comparisons with the real diff and find.</summary>
internal static class TreeCompare
{
    /// <summary>Content and type equality: `diff -r --no-dereference` must print nothing.</summary>
    public static void AssertSameContent(string expected, string actual)
    {
        var r = ProcRunner.Run(Proc.Require(Proc.Diff), ["-r", "--no-dereference", expected, actual]);
        Assert.True(r.ExitCode == 0, $"diff -r {expected} {actual}:\n{r.Stdout}{r.Stderr}");
    }

    /// <summary>One line per entry: relative path, type, mode, owner, mtime (ns), size, link target; directory mtimes included.</summary>
    public static string Metadata(string root, bool includeRootMtime = true)
    {
        var r = ProcRunner.Run(Proc.Require(Proc.Find), [root, "-printf", "%P\\0%y %m %U %G %T@ %s %l\\0"]);
        Assert.True(r.ExitCode == 0, $"find {root}: {r.Stderr}");
        // Records are NUL-separated so names with newlines stay one record.
        string[] fields = Encoding.Latin1.GetString(r.StdoutBytes).Split('\0');
        var lines = new List<string>();
        for (int i = 0; i + 1 < fields.Length; i += 2)
        {
            string attrs = fields[i + 1];
            if (fields[i].Length == 0)
            {
                if (!includeRootMtime) continue;
            }
            // Directory sizes depend on the file system's allocation history, not on the backup.
            if (attrs.StartsWith('d'))
            {
                string[] parts = attrs.Split(' ');
                parts[5] = "-";
                attrs = string.Join(' ', parts);
            }
            lines.Add((fields[i] + " " + attrs).Replace("\n", "\\n", StringComparison.Ordinal));
        }
        lines.Sort(StringComparer.Ordinal);
        return string.Join('\n', lines);
    }

    public static void AssertSameMetadata(string expected, string actual, bool includeRootMtime = true)
    {
        string e = Metadata(expected, includeRootMtime), a = Metadata(actual, includeRootMtime);
        if (e != a)
        {
            var el = e.Split('\n').ToHashSet(StringComparer.Ordinal);
            var al = a.Split('\n').ToHashSet(StringComparer.Ordinal);
            Assert.Fail($"metadata differs:\nonly in source:\n  {string.Join("\n  ", el.Except(al))}\nonly in restore:\n  {string.Join("\n  ", al.Except(el))}");
        }
    }

    public static bool SameBytes(string a, string b)
    {
        var fa = new FileInfo(a);
        var fb = new FileInfo(b);
        if (!fa.Exists || !fb.Exists || fa.Length != fb.Length) return false;
        return File.ReadAllBytes(a).AsSpan().SequenceEqual(File.ReadAllBytes(b));
    }
}

/// <summary>Tests that move hundreds of megabytes run one at a time (alongside the light ones).</summary>
[CollectionDefinition(Name)]
public sealed class HeavyCollection
{
    public const string Name = "Heavy";
}

/// <summary>A fact that needs root (chown, setuid): reported as skipped, never passing silently, otherwise.</summary>
internal sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Offsite.Posix.PosixFs.IsRoot)
        {
            Skip = "Requires root.";
        }
    }
}
