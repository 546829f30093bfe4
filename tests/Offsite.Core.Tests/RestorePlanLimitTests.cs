using System.Text;
using Offsite.Core.Content;
using Offsite.Core.Restore;
using Offsite.Core.Trees;

namespace Offsite.Core.Tests;

/// <summary>
/// The restore plan is carried out whenever it reaches its limit (issue 16: memory must not grow with
/// the files restored). Cutting it must not change what is restored: shared blobs, hard links whose
/// first name was written in an earlier cut, empty files and nested directories all come out whole.
/// </summary>
public sealed class RestorePlanLimitTests : IDisposable
{
    private static readonly byte[] Key = new byte[32];
    private readonly string _target = Path.Combine(Path.GetTempPath(), $"offsite-plan-{Guid.NewGuid():N}");
    private readonly Dictionary<BlobId, byte[]> _trees = new();
    private readonly Dictionary<BlobId, (byte[] Data, string Pack)> _blobs = new();
    private readonly Dictionary<string, int> _packHolds = new(StringComparer.Ordinal);

    public void Dispose()
    {
        if (Directory.Exists(_target)) Directory.Delete(_target, recursive: true);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(Restorer.DefaultPlanLimit)]
    public async Task Every_file_is_restored_whole_whatever_the_limit(int limit)
    {
        var expected = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        byte[] sharedData = "shared block used by files in every directory"u8.ToArray();
        BlobId shared = AddBlob(sharedData, "pack-shared");
        var rootNodes = new List<Node>();
        for (int d = 0; d < 6; d++)
        {
            var nodes = new List<Node>();
            for (int f = 0; f < 5; f++)
            {
                byte[] own = Encoding.UTF8.GetBytes($"file {f} of dir {d}");
                BlobId id = AddBlob(own, $"pack-{d}");
                nodes.Add(FileNode($"f{f}", [id, shared], own.Length + sharedData.Length));
                expected[$"d{d}/f{f}"] = [.. own, .. sharedData];
            }
            nodes.Add(FileNode("empty", [], 0));
            expected[$"d{d}/empty"] = [];
            rootNodes.Add(new Node { Name = $"d{d}", Type = NodeType.Directory, Mode = 0x1ED, Subtree = AddTree(nodes).ToString() });
        }
        // The same inode under two names, in the first and the last directory: the link is made after
        // the first name was written, possibly several cuts earlier.
        byte[] linked = "hard linked"u8.ToArray();
        BlobId linkedId = AddBlob(linked, "pack-link");
        rootNodes.Insert(0, FileNode("a-link", [linkedId], linked.Length, inode: 77));
        rootNodes.Add(FileNode("z-link", [linkedId], linked.Length, inode: 77));
        expected["a-link"] = linked;
        expected["z-link"] = linked;

        var restorer = new Restorer(LoadTree, ReadPack, Locate, new PathFilter([]), planLimit: limit);
        var result = await restorer.RestoreAsync(AddTree(rootNodes), _target, CancellationToken.None);

        Assert.Empty(result.Errors);
        foreach (var (relative, content) in expected)
        {
            Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(_target, relative)));
        }
        Assert.Empty(Directory.GetFiles(_target, "*" + Restorer.PartialSuffix, SearchOption.AllDirectories));
        // Each pack is read once per cut that needs it: once in all when the plan is never cut, at
        // most once per file when it is cut after every file.
        if (limit >= 100)
        {
            Assert.All(_packHolds.Values, holds => Assert.Equal(1, holds));
        }
        else
        {
            Assert.InRange(_packHolds["pack-shared"], 2, 30);
        }
    }

    private Node FileNode(string name, BlobId[] content, long size, ulong? inode = null) => new()
    {
        Name = name,
        Type = NodeType.File,
        Mode = 0x1A4,
        Size = size,
        Content = content.Select(c => c.ToString()).ToList(),
        Inode = inode,
        Device = inode is null ? null : 1,
        Links = inode is null ? null : 2,
    };

    private BlobId AddBlob(byte[] data, string pack)
    {
        var id = BlobId.Compute(Key, data);
        _blobs[id] = (data, pack);
        return id;
    }

    private BlobId AddTree(List<Node> nodes)
    {
        byte[] json = new Tree { Nodes = nodes.OrderBy(n => n.Name, StringComparer.Ordinal).ToList() }.Serialize();
        var id = BlobId.Compute(Key, json);
        _trees[id] = json;
        return id;
    }

    private Task<Tree> LoadTree(BlobId id, CancellationToken cancellationToken) => Task.FromResult(Tree.Parse(_trees[id], $"tree {id.Short}"));

    private (string Pack, int RawLength)? Locate(BlobId id) => _blobs.TryGetValue(id, out var b) ? (b.Pack, b.Data.Length) : null;

    /// <summary>Counts the reads of each pack (one per cut that needs it) and hands its blobs on.</summary>
    private async Task ReadPack(string pack, IReadOnlyCollection<BlobId> ids, BlobLoader.LoanVisitor visit, CancellationToken cancellationToken)
    {
        lock (_packHolds) _packHolds[pack] = _packHolds.GetValueOrDefault(pack) + 1;
        foreach (var id in ids)
        {
            Assert.Equal(pack, _blobs[id].Pack);
            using var bytes = BlobBytes.Of(_blobs[id].Data);
            await visit(id, bytes, null);
        }
    }
}
