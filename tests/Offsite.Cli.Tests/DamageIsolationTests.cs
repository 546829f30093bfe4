using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Offsite.Cli.Tests;

/// <summary>
/// One damaged object costs only what depends on it (issue 15, item 1): a truncated snapshot, index or
/// key object is reported (a warning naming it, `check` exit 4) while everything else keeps working.
/// </summary>
public sealed class DamageIsolationTests
{
    private readonly ITestOutputHelper _output;

    public DamageIsolationTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Truncated_snapshot_is_reported_and_every_other_snapshot_lists_restores_and_dumps()
    {
        using var box = new Sandbox();
        var (older, newer, _, newerDir) = TwoBackups(box);
        string damaged = Path.Combine(box.Repo, "snapshots", older);
        Truncate(damaged, 100);

        var list = box.Run("--json", "snapshots");
        Sandbox.Expect(0, list, ["snapshots"]);
        Assert.Equal([newer], list.Json().AsArray().Select(s => s!["id"]!.GetValue<string>()));
        Assert.Contains($"warning: snapshots/{older}", list.Stderr, StringComparison.Ordinal);

        box.Ok("restore", newer, "--target", box.Path("out"));
        TreeCompare.AssertSameContent(newerDir, box.Path("out") + newerDir);
        var dump = box.Ok("dump", "latest", Path.Combine(newerDir, "file0.bin"));
        Assert.True(dump.StdoutBytes.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(newerDir, "file0.bin"))));

        // The damaged one itself: damage (4), naming it, never "no snapshot" (10).
        var restoreOld = box.Expect(4, "restore", older[..8], "--target", box.Path("out-old"));
        Assert.Contains($"snapshots/{older}", restoreOld.Stderr, StringComparison.Ordinal);
        var check = box.Expect(4, "check");
        Assert.Contains($"snapshots/{older}", check.Stderr, StringComparison.Ordinal);
        // Prune must not guess what an unreadable snapshot references.
        var prune = box.Expect(4, "prune");
        Assert.Contains($"snapshots/{older}", prune.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Damaged_index_whose_packs_another_index_describes_is_reported_and_costs_nothing()
    {
        using var box = new Sandbox();
        var (older, newer, olderDir, newerDir) = TwoBackups(box);
        string index = box.Objects("index")[0];
        string copy = ReEncryptCopy(box, index, "index");
        Truncate(index, 100);
        _output.WriteLine($"damaged {Path.GetFileName(index)}, intact copy {Path.GetFileName(copy)}");

        // A host without a cached copy reads the damaged object.
        var fresh = new Dictionary<string, string?> { ["OFFSITE_CACHE_DIR"] = box.Path("fresh-cache") };
        foreach (var (snapshot, dir) in new[] { (older, olderDir), (newer, newerDir) })
        {
            string target = box.Path("out-" + snapshot[..8]);
            var r = box.RunWith(fresh, null, "restore", snapshot, "--target", target);
            Sandbox.Expect(0, r, ["restore", snapshot]);
            Assert.Contains($"index/{Path.GetFileName(index)}", r.Stderr, StringComparison.Ordinal);
            TreeCompare.AssertSameContent(dir, target + dir);
        }
        var check = box.RunWith(fresh, null, "check");
        Sandbox.Expect(4, check, ["check"]);
        Assert.Contains($"index/{Path.GetFileName(index)}", check.Stderr, StringComparison.Ordinal);
        // check reads the repository, not this host's cache: the owner's cached copy hides nothing.
        Assert.Contains($"index/{Path.GetFileName(index)}", box.Expect(4, "check").Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Damaged_key_object_does_not_stop_another_passphrase()
    {
        using var box = new Sandbox();
        var (older, newer, _, newerDir) = TwoBackups(box);
        const string second = "another passphrase entirely";
        box.RunWith(new Dictionary<string, string?> { ["OFFSITE_NEW_PASSWORD"] = second }, null, "key", "add");
        var keys = box.Objects("keys");
        Assert.Equal(2, keys.Count);
        // Listing order is the order keys are tried in (no cached preference): damage the first, open with the second's passphrase.
        string firstListed = keys[0];
        string firstPassphrase = Decrypts(box, firstListed, Sandbox.Password) ? Sandbox.Password : second;
        string otherPassphrase = firstPassphrase == Sandbox.Password ? second : Sandbox.Password;
        Truncate(firstListed, 100);

        var other = new Dictionary<string, string?> { ["OFFSITE_PASSWORD"] = otherPassphrase, ["OFFSITE_CACHE_DIR"] = box.Path("fresh-cache") };
        var list = box.RunWith(other, null, "--json", "snapshots");
        Sandbox.Expect(0, list, ["snapshots", "(other passphrase)"]);
        Assert.Equal(2, list.Json().AsArray().Count);
        Assert.Contains($"keys/{Path.GetFileName(firstListed)}", list.Stderr, StringComparison.Ordinal);
        var restore = box.RunWith(other, null, "restore", newer, "--target", box.Path("out"));
        Sandbox.Expect(0, restore, ["restore", "(other passphrase)"]);
        TreeCompare.AssertSameContent(newerDir, box.Path("out") + newerDir);

        var check = box.RunWith(other, null, "check");
        Sandbox.Expect(4, check, ["check"]);
        Assert.Contains($"keys/{Path.GetFileName(firstListed)}", check.Stderr, StringComparison.Ordinal);

        // The damaged key's own passphrase now opens nothing: damage (4), naming the key, not "wrong passphrase" (3).
        var own = box.RunWith(new Dictionary<string, string?> { ["OFFSITE_PASSWORD"] = firstPassphrase, ["OFFSITE_CACHE_DIR"] = box.Path("fresh-cache2") }, null, "snapshots");
        Sandbox.Expect(4, own, ["snapshots", "(damaged key's passphrase)"]);
        Assert.Contains($"keys/{Path.GetFileName(firstListed)}", own.Stderr, StringComparison.Ordinal);
        _ = older;
    }

    /// <summary>
    /// For every object class, damage one object of snapshot B in a copy of the same repository and
    /// assert exactly which snapshots become unrestorable: the ones that need that object, and only they.
    /// No file of a failed restore sits under its real name with wrong content.
    /// </summary>
    [Fact]
    public void Damaging_one_object_of_each_class_makes_exactly_the_snapshots_that_need_it_unrestorable()
    {
        using var box = new Sandbox();
        const string second = "second passphrase for the key case";
        box.RunWith(new Dictionary<string, string?> { ["OFFSITE_NEW_PASSWORD"] = second }, null, "key", "add");
        var dirs = new List<string>();
        var snapshots = new List<string>();
        var objects = new List<(string Index, string TreePack, string DataPack)>();
        for (int i = 0; i < 3; i++)
        {
            var indexesBefore = box.Objects("index").ToHashSet(StringComparer.Ordinal);
            var packsBefore = box.PackIds();
            string dir = box.Dir.Sub($"src{i}");
            for (int f = 0; f < 6; f++)
            {
                Data.WriteRandomFile(Path.Combine(dir, $"file{f}.bin"), 40_000 + (f * 1000), (ulong)((i * 100) + f + 1));
            }
            dirs.Add(dir);
            snapshots.Add(box.Backup(dir)["snapshot"]!.GetValue<string>());
            var newPacks = box.PackIds().Except(packsBefore).ToList();
            Assert.Equal(2, newPacks.Count); // one tree pack, one data pack
            string dataPack = box.LargestPack(newPacks);
            objects.Add((Assert.Single(box.Objects("index").Except(indexesBefore)), box.PackFile(newPacks.Single(p => p != dataPack)), box.PackFile(dataPack)));
        }
        string key = box.Objects("keys").First(k => Decrypts(box, k, Sandbox.Password));
        var (bIndex, bTreePack, bDataPack) = objects[1];
        string b = snapshots[1];

        var cases = new (string Class, string Object, Action<string> Damage, string[] Unrestorable, int ExpectedExit)[]
        {
            ("config", "config", FlipValueDigit("\"min\":"), [.. snapshots], 4),
            ("key", key, f => Truncate(f, 100), [], 0),
            ("index", bIndex, f => Truncate(f, 100), [b], 5),
            ("snapshot", Path.Combine(box.Repo, "snapshots", b), f => Truncate(f, 100), [b], 4),
            ("tree pack", bTreePack, f => Truncate(f, 100), [b], 5),
            ("data pack", bDataPack, f => Truncate(f, 100), [b], 5),
        };
        foreach (var (cls, obj, damage, unrestorable, expectedExit) in cases)
        {
            string copy = box.Path($"repo-{cls.Replace(' ', '-')}");
            Proc.Ok("/bin/cp", "-a", box.Repo, copy);
            string damaged = Path.Combine(copy, Path.GetRelativePath(box.Repo, Path.IsPathRooted(obj) ? obj : Path.Combine(box.Repo, obj)));
            damage(damaged);
            var env = new Dictionary<string, string?>
            {
                ["OFFSITE_REPOSITORY"] = copy,
                ["OFFSITE_CACHE_DIR"] = box.Path($"cache-{cls.Replace(' ', '-')}"),
                // The key case opens with the passphrase whose key object is intact.
                ["OFFSITE_PASSWORD"] = cls == "key" ? second : Sandbox.Password,
            };
            var failed = new List<string>();
            for (int i = 0; i < snapshots.Count; i++)
            {
                string target = box.Path($"out-{cls.Replace(' ', '-')}-{i}");
                var r = box.RunWith(env, null, "restore", snapshots[i], "--target", target);
                _output.WriteLine($"{cls}: restore {snapshots[i][..8]} → exit {r.ExitCode} {r.Stderr.Split('\n')[0]}");
                if (r.ExitCode == 0)
                {
                    TreeCompare.AssertSameContent(dirs[i], target + dirs[i]);
                    continue;
                }
                Assert.True(r.ExitCode == expectedExit, $"{cls}: restore {snapshots[i]}: expected exit {expectedExit}, got {r}");
                Assert.DoesNotContain("restored snapshot", r.Stdout, StringComparison.Ordinal);
                failed.Add(snapshots[i]);
                AssertNothingWrongUnderRealNames(dirs[i], target + dirs[i]);
            }
            Assert.True(unrestorable.Order().SequenceEqual(failed.Order()), $"{cls}: expected unrestorable [{string.Join(' ', unrestorable)}], got [{string.Join(' ', failed)}]");
            // check names the damage in every case (the intact key still opens for the key case).
            var check = box.RunWith(env, null, "check");
            Assert.True(check.ExitCode == 4, $"{cls}: check: {check}");
        }
    }

    /// <summary>Every file present under its real name is byte-identical to the source; none is partial.</summary>
    internal static void AssertNothingWrongUnderRealNames(string source, string restored)
    {
        if (!Directory.Exists(restored))
        {
            return;
        }
        foreach (string file in Directory.EnumerateFiles(restored, "*", SearchOption.AllDirectories))
        {
            if (file.EndsWith(".offsite-partial", StringComparison.Ordinal))
            {
                continue;
            }
            string original = Path.Combine(source, Path.GetRelativePath(restored, file));
            Assert.True(TreeCompare.SameBytes(original, file), $"{file} is under its real name but differs from {original}");
        }
    }

    /// <summary>Two backups of different directories; returns the snapshot ids (older, newer) and the directories.</summary>
    private static (string Older, string Newer, string OlderDir, string NewerDir) TwoBackups(Sandbox box)
    {
        string a = box.Dir.Sub("a"), b = box.Dir.Sub("b");
        for (int i = 0; i < 4; i++)
        {
            Data.WriteRandomFile(Path.Combine(a, $"file{i}.bin"), 30_000, (ulong)(i + 1));
            Data.WriteRandomFile(Path.Combine(b, $"file{i}.bin"), 30_000, (ulong)(i + 50));
        }
        string older = box.Backup(a)["snapshot"]!.GetValue<string>();
        string newer = box.Backup(b)["snapshot"]!.GetValue<string>();
        return (older, newer, a, b);
    }

    internal static void Truncate(string path, long length) => Proc.Ok("/usr/bin/truncate", "-s", length.ToString(System.Globalization.CultureInfo.InvariantCulture), path);

    /// <summary>Changes the last digit of the number after <paramref name="field"/> in a JSON file (same length, still valid JSON).</summary>
    internal static Action<string> FlipValueDigit(string field) => path =>
    {
        string text = File.ReadAllText(path);
        int at = text.IndexOf(field, StringComparison.Ordinal);
        Assert.True(at >= 0, $"{field} not in {path}");
        int end = at + field.Length;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }
        char last = text[end - 1];
        File.WriteAllText(path, text[..(end - 1)] + (last == '9' ? '8' : (char)(last + 1)) + text[end..]);
    };

    /// <summary>The same plaintext encrypted again to the repository's recipient with the age CLI: a second, valid object describing the same thing.</summary>
    internal static string ReEncryptCopy(Sandbox box, string objectPath, string folder)
    {
        byte[] plaintext = RepoObjects.AgeDecrypt(box.ExportIdentity(), objectPath);
        string recipient = JsonNode.Parse(File.ReadAllText(Path.Combine(box.Repo, "config")))!["recipient"]!.GetValue<string>();
        var r = ProcRunner.Run(Proc.Require(Proc.Age), ["-r", recipient], stdin: plaintext);
        Assert.True(r.ExitCode == 0, $"age -r: {r.Stderr}");
        string copy = Path.Combine(box.Repo, folder, Convert.ToHexStringLower(SHA256.HashData(r.StdoutBytes)));
        File.WriteAllBytes(copy, r.StdoutBytes);
        return copy;
    }

    /// <summary>Whether the passphrase unwraps this keys/ object (age reads passphrases only from a terminal, so offsite itself tries).</summary>
    private static bool Decrypts(Sandbox box, string keyObject, string passphrase)
    {
        // Open a copy of the repository holding only this key: the passphrase opens it or it does not.
        string copy = box.Path($"keyprobe-{Guid.NewGuid():N}");
        Proc.Ok("/bin/cp", "-a", box.Repo, copy);
        foreach (string other in Directory.EnumerateFiles(Path.Combine(copy, "keys")).Where(f => Path.GetFileName(f) != Path.GetFileName(keyObject)))
        {
            File.Delete(other);
        }
        var r = box.RunWith(new Dictionary<string, string?> { ["OFFSITE_REPOSITORY"] = copy, ["OFFSITE_PASSWORD"] = passphrase, ["OFFSITE_CACHE_DIR"] = null }, null, "--no-cache", "snapshots");
        Proc.Ok("/bin/rm", "-rf", copy);
        return r.ExitCode == 0;
    }
}
