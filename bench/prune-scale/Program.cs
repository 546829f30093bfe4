using System.Security.Cryptography;
using Offsite.Core.Content;
using Offsite.Core.Repository;
using Offsite.Core.Snapshots;
using Offsite.Core.Trees;
using Offsite.Storage.Local;

// Usage: PruneScale <repo dir> <blobs> <password>
// Writes a repository whose index names <blobs> data blobs in packs of 1000, and one snapshot whose trees reference
// the blobs of the first half of the packs. The data packs are 1-byte placeholders (prune lists and deletes them but,
// with every pack either fully used or fully unused, never reads them); trees are real, in real tree packs.
string dir = args[0];
long blobs = long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
const int PerPack = 1000, PacksPerIndex = 64, IdsPerFile = 1000, FilesPerTree = 50;
var storage = new LocalStorage(dir);
var repo = await Repository.InitAsync(storage, args[2], new RepositoryConfig(), "", default);
int packs = (int)((blobs + PerPack - 1) / PerPack);
int usedPacks = packs / 2;
var rng = RandomNumberGenerator.Create();
var trees = new List<Node>();
var files = new List<Node>();
var content = new List<string>(IdsPerFile);
await using var saver = new BlobSaver(repo, []);
var index = new IndexFile();
for (int p = 0; p < packs; p++)
{
    byte[] raw = new byte[32];
    rng.GetBytes(raw);
    string packId = Convert.ToHexStringLower(raw);
    var ip = new IndexPack { Id = packId, Created = DateTimeOffset.UtcNow, Size = PerPack * 1024L };
    for (int b = 0; b < PerPack; b++)
    {
        rng.GetBytes(raw);
        string id = Convert.ToHexStringLower(raw);
        ip.Blobs.Add(new IndexBlob { Id = id, Type = BlobType.Data, Compression = BlobCompression.None, Offset = b * 1024L, Length = 1024, RawLength = 1024 });
        if (p < usedPacks)
        {
            content.Add(id);
            if (content.Count == IdsPerFile)
            {
                files.Add(new Node { Name = $"f{files.Count}-{trees.Count}", Type = NodeType.File, Mode = 0x1a4, Size = IdsPerFile * 1024L, Content = content.ToList() });
                content.Clear();
                if (files.Count == FilesPerTree)
                {
                    var tree = new Tree { Nodes = files.OrderBy(f => f.Name, StringComparer.Ordinal).ToList() };
                    var treeId = await saver.SaveAsync(BlobType.Tree, tree.Serialize(), default);
                    trees.Add(new Node { Name = $"d{trees.Count:000000}", Type = NodeType.Directory, Mode = 0x1ed, Subtree = treeId.ToString() });
                    files.Clear();
                }
            }
        }
    }
    index.Packs.Add(ip);
    if (p < usedPacks)
    {
        // A placeholder object: listed (so prune knows the pack exists), never read.
        Directory.CreateDirectory(Path.Combine(dir, "packs", packId[..2]));
        File.WriteAllBytes(Path.Combine(dir, "packs", packId[..2], packId), [0]);
    }
    if (index.Packs.Count == PacksPerIndex || p == packs - 1)
    {
        await repo.SaveIndexAsync(index, default);
        index = new IndexFile();
    }
}
if (content.Count > 0 || files.Count > 0)
{
    if (content.Count > 0) files.Add(new Node { Name = "last", Type = NodeType.File, Mode = 0x1a4, Size = content.Count * 1024L, Content = content.ToList() });
    var tree = new Tree { Nodes = files.OrderBy(f => f.Name, StringComparer.Ordinal).ToList() };
    trees.Add(new Node { Name = "dlast", Type = NodeType.Directory, Mode = 0x1ed, Subtree = (await saver.SaveAsync(BlobType.Tree, tree.Serialize(), default)).ToString() });
}
var root = await saver.SaveAsync(BlobType.Tree, new Tree { Nodes = trees }.Serialize(), default);
await saver.FlushAsync(default);
await repo.SaveSnapshotAsync(new Snapshot { Time = DateTimeOffset.UtcNow, Host = "synthetic", Source = "synthetic", Paths = ["/"], Tree = root.ToString(), Program = "prune-scale" }, default);
Console.WriteLine($"{blobs} data blobs in {packs} packs ({usedPacks} used), {trees.Count} directory trees");
