using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Offsite.Storage.S3;
using Offsite.Core.Errors;
using Offsite.Core.Sources;
using Offsite.Core.Trees;

namespace Offsite.Sources.S3;

/// <summary>
/// The objects of a bucket (below a prefix) as a tree: keys cut at '/' give the directories, each
/// object is a file with its metadata (docs/sources/s3.md). A directory is one delimited listing;
/// the objects of a listing are HEADed a few at a time for their headers and user metadata. An
/// object is only downloaded when its key, size and ETag differ from the last backup of the same
/// bucket (the files cache); a large one in ranges fetched in parallel, never to disk.
/// Any failure to list is fatal (SourceFailed: exit 9, no snapshot); an object deleted or made
/// unreadable while the backup runs is a warning, like a vanished file.
/// </summary>
public sealed class S3BucketSource : IReadAheadSource
{
    /// <summary>Objects up to this size are read ahead whole (larger ones in parallel ranges when opened).</summary>
    private const int ReadAheadLimit = 1024 * 1024;
    private const uint FileMode = 0x1A4; // 0644
    private const uint DirectoryMode = 0x1ED; // 0755
    private readonly IAmazonS3 _client;
    private readonly S3BucketSettings _settings;

    public S3BucketSource(IAmazonS3 client, S3BucketSettings settings)
    {
        _client = client;
        _settings = settings;
        CacheKey = "s3:" + settings.Endpoint + "/" + settings.Options.Bucket + "/" + settings.Options.NormalizedPrefix
            + (settings.Versions == S3Versions.All ? "?versions=all" : "");
    }

    public string CacheKey { get; }

    private Func<SourceEntry, bool>? _willReuse;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ListedObject, ObjectReadAhead> _readAhead = new(ReferenceEqualityComparer.Instance);

    public void UseReuseCheck(Func<SourceEntry, bool> willReuse) => _willReuse = willReuse;

    public string Location => _settings.Location;

    public IAsyncEnumerable<SourceEntry> ListRootAsync(CancellationToken cancellationToken) =>
        ListPrefixAsync(_settings.Options.NormalizedPrefix, cancellationToken);

    public IAsyncEnumerable<SourceEntry> ListAsync(SourceEntry directory, CancellationToken cancellationToken) => directory.Handle switch
    {
        PrefixHandle p => ListPrefixAsync(p.Prefix, cancellationToken),
        ContinuationHandle c => WithReadAheadAsync(Entries(c.Items), cancellationToken),
        _ => throw new ArgumentException("not a directory of this source", nameof(directory)),
    };

    public async ValueTask<Stream> OpenReadAsync(SourceEntry file, CancellationToken cancellationToken)
    {
        var o = file.Handle as ListedObject ?? throw new ArgumentException("not an object of this source", nameof(file));
        if (_readAhead.TryRemove(o, out var ahead) && ahead.Take(o) is { } fetched)
        {
            return new MemoryStream(await fetched.WaitAsync(cancellationToken).ConfigureAwait(false), writable: false);
        }
        if (o.Size > _settings.PartSize)
        {
            return new RangedObjectStream(_client, _settings, o, Fail, cancellationToken);
        }
        try
        {
            using var slash = LeadingSlashKey.For(_settings.Options.Bucket, o.Key);
            var response = await _client.GetObjectAsync(RangedObjectStream.Request(_settings, o), cancellationToken).ConfigureAwait(false);
            return new S3ReadStream(response, e => Fail(e, o));
        }
        catch (Exception e) when (S3Failure.IsS3Failure(e))
        {
            throw Fail(e, o);
        }
    }

    /// <summary>A failure reading one object: a warning when it concerns that object only, else the end of the backup.</summary>
    private Exception Fail(Exception e, ListedObject o) => S3Failure.IsAboutOneObject(e)
        ? new SourceEntryException(o.Key, S3Failure.IsPreconditionFailed(e) || S3Failure.IsNotFound(e)
            ? "changed or deleted while the backup ran (backed up next time)"
            : S3Failure.Describe(e, _settings.Options.Bucket, _settings.Endpoint), e)
        : SourceFailed($"GET {o.Key}: {S3Failure.Describe(e, _settings.Options.Bucket, _settings.Endpoint)}", e);

    private OffsiteException SourceFailed(string cause, Exception inner) =>
        new(ErrorKind.SourceFailed, $"s3 source {Location}: {cause}", inner);

    private async IAsyncEnumerable<SourceEntry> ListPrefixAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ListedLevel level;
        try
        {
            level = await S3Listing.ListLevelAsync(_client, _settings.Options.Bucket, prefix, _settings.Versions, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (S3Failure.IsS3Failure(e))
        {
            throw SourceFailed(S3Failure.Describe(e, _settings.Options.Bucket, _settings.Endpoint), e);
        }
        var items = new List<LevelItem>();
        var prefixes = new HashSet<string>(level.Prefixes.Select(p => p[prefix.Length..^1]), StringComparer.Ordinal);
        foreach (string piece in prefixes)
        {
            items.Add(new LevelItem(S3KeyCodec.Encode(piece), null, prefix + piece + "/"));
        }
        var metadata = await HeadAllAsync(level.Objects, cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < level.Objects.Count; i++)
        {
            var o = level.Objects[i];
            string piece = o.Key[prefix.Length..];
            IReadOnlyList<string> names;
            try
            {
                names = S3KeyCodec.Encode(piece, prefixes.Contains(piece), o.Latest == false ? o.VersionId : null);
            }
            catch (FormatException e)
            {
                items.Add(new LevelItem([piece], SourceEntry.Failed(Encoding.UTF8.GetBytes(piece), new SourceEntryException(o.Key, e.Message, e)), null));
                continue;
            }
            items.Add(new LevelItem(names, metadata[i].Metadata is { } m ? FileEntry(names[^1], o, m) : SourceEntry.Failed(Encoding.UTF8.GetBytes(names[^1]),
                new SourceEntryException(o.Key, metadata[i].Why ?? "unreadable")), null));
        }
        await foreach (var entry in WithReadAheadAsync(Entries(items), cancellationToken).ConfigureAwait(false))
        {
            yield return entry;
        }
    }

    /// <summary>Yields a level's entries while its small objects that will be read are fetched ahead (docs/sources/s3.md).</summary>
    private async IAsyncEnumerable<SourceEntry> WithReadAheadAsync(List<SourceEntry> entries, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var willReuse = _willReuse;
        var toRead = willReuse is null ? [] : entries
            .Where(e => e.Error is null && e.Handle is ListedObject { Size: <= ReadAheadLimit } && !willReuse(e))
            .Select(e => (ListedObject)e.Handle!).ToList();
        using var ahead = toRead.Count > 1 ? new ObjectReadAhead(toRead, _settings.Concurrency, FetchWholeAsync, cancellationToken) : null;
        try
        {
            if (ahead is not null)
            {
                foreach (var o in toRead) _readAhead[o] = ahead;
            }
            foreach (var entry in entries)
            {
                yield return entry;
            }
        }
        finally
        {
            foreach (var o in toRead) _readAhead.TryRemove(o, out _);
        }
    }

    /// <summary>A small object in one GET, pinned to its listed ETag or version.</summary>
    private async Task<byte[]> FetchWholeAsync(ListedObject o, CancellationToken ct)
    {
        try
        {
            using var slash = LeadingSlashKey.For(_settings.Options.Bucket, o.Key);
            using var response = await _client.GetObjectAsync(RangedObjectStream.Request(_settings, o), ct).ConfigureAwait(false);
            if (response.ContentLength != o.Size)
            {
                throw new SourceEntryException(o.Key, $"the server sent {response.ContentLength} bytes, the listing said {o.Size}");
            }
            var data = new byte[o.Size];
            await response.ResponseStream.ReadExactlyAsync(data, ct).ConfigureAwait(false);
            return data;
        }
        catch (Exception e) when (S3Failure.IsS3Failure(e))
        {
            throw Fail(e, o);
        }
    }

    /// <summary>The entries of one tree level: names shared by several too-long pieces become one continuation directory.</summary>
    private static List<SourceEntry> Entries(IEnumerable<LevelItem> items)
    {
        var entries = new List<SourceEntry>();
        foreach (var group in items.GroupBy(i => i.Names[0], StringComparer.Ordinal))
        {
            var first = group.First();
            byte[] name = Encoding.UTF8.GetBytes(group.Key);
            if (first.Names.Count > 1)
            {
                // Pieces longer than one name: their first parts, then the rest one level down.
                entries.Add(new SourceEntry(DirectoryNode(name), default, null,
                    new ContinuationHandle(group.Select(i => i with { Names = i.Names.Skip(1).ToList() }).ToList())));
            }
            else if (first.Prefix is { } p)
            {
                entries.Add(new SourceEntry(DirectoryNode(name), default, null, new PrefixHandle(p)));
            }
            else
            {
                entries.Add(first.File!);
            }
        }
        entries.Sort((a, b) => a.Node.RawName.AsSpan().SequenceCompareTo(b.Node.RawName));
        return entries;
    }

    private static Node DirectoryNode(byte[] name) => new() { RawName = name, Type = NodeType.Directory, Mode = DirectoryMode };

    private static SourceEntry FileEntry(string name, ListedObject o, ObjectMetadata metadata)
    {
        var node = new Node
        {
            RawName = Encoding.UTF8.GetBytes(name),
            Type = NodeType.File,
            Mode = FileMode,
            MtimeNs = (new DateTimeOffset(DateTime.SpecifyKind(o.LastModified, DateTimeKind.Utc)).ToUnixTimeMilliseconds()) * 1_000_000,
            Size = o.Size,
            Object = metadata,
        };
        // Key, size and ETag decide whether the object is read again; a version id is immutable.
        // The last-modified time is left out: a copy onto itself that only changes metadata keeps the bytes.
        var fingerprint = new FileFingerprint(0, Hash(o.ETag), o.Size, o.VersionId is null ? 0 : (ulong)Hash(o.VersionId));
        // With versions: all, every entry is one version (read once, also after it becomes noncurrent).
        string cacheKey = o.VersionId is null ? o.Key : o.Key + "\0" + o.VersionId;
        return new SourceEntry(node, fingerprint, cacheKey, o);
    }

    private static long Hash(string text) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>An object's metadata, or why it cannot be read.</summary>
    private readonly record struct Head(ObjectMetadata? Metadata, string? Why);

    /// <summary>HEADs every object of a level, a few at a time; an object deleted (or forbidden) meanwhile gets the reason.</summary>
    private async Task<Head[]> HeadAllAsync(List<ListedObject> objects, CancellationToken cancellationToken)
    {
        var result = new Head[objects.Count];
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, objects.Count),
                new ParallelOptions { MaxDegreeOfParallelism = _settings.Concurrency, CancellationToken = cancellationToken },
                async (i, ct) => result[i] = await HeadAsync(objects[i], ct).ConfigureAwait(false)).ConfigureAwait(false);
        }
        catch (Exception e) when (S3Failure.IsS3Failure(e))
        {
            throw SourceFailed($"HEAD: {S3Failure.Describe(e, _settings.Options.Bucket, _settings.Endpoint)}", e);
        }
        return result;
    }

    private async Task<Head> HeadAsync(ListedObject o, CancellationToken ct)
    {
        GetObjectMetadataResponse head;
        try
        {
            using var slash = LeadingSlashKey.For(_settings.Options.Bucket, o.Key);
            head = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest
            {
                BucketName = _settings.Options.Bucket,
                Key = o.Key,
                VersionId = o.VersionId,
            }, ct).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (S3Failure.IsNotFound(e) && !S3Failure.IsNoSuchBucket(e))
        {
            return new Head(null, "deleted while the backup ran");
        }
        var meta = new ObjectMetadata
        {
            ETag = o.ETag,
            ContentType = Blank(head.Headers.ContentType),
            CacheControl = Blank(head.Headers.CacheControl),
            ContentEncoding = Blank(head.Headers.ContentEncoding),
            ContentDisposition = Blank(head.Headers.ContentDisposition),
            ContentLanguage = Blank(head.Headers.ContentLanguage),
            Expires = Blank(head.ExpiresString),
            WebsiteRedirect = Blank(head.WebsiteRedirectLocation),
            StorageClass = o.StorageClass ?? head.StorageClass?.Value,
            VersionId = o.Latest is null ? null : o.VersionId,
            Latest = o.Latest,
            Parts = head.PartsCount is > 0 ? head.PartsCount : PartsFromETag(o.ETag),
        };
        foreach (string key in head.Metadata.Keys)
        {
            string name = key.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase) ? key["x-amz-meta-".Length..] : key;
            (meta.UserMetadata ??= new(StringComparer.Ordinal))[name.ToLowerInvariant()] = head.Metadata[key];
        }
        return new Head(meta, null);
    }

    /// <summary>A multipart object's ETag ends in "-N" (N parts).</summary>
    private static int? PartsFromETag(string etag)
    {
        int dash = etag.LastIndexOf('-');
        return dash > 0 && int.TryParse(etag.AsSpan(dash + 1).TrimEnd('"'), out int parts) ? parts : null;
    }

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>One entry of a level before grouping: its names (several for a too-long piece), and a file or a prefix to list.</summary>
    private sealed record LevelItem(IReadOnlyList<string> Names, SourceEntry? File, string? Prefix);

    private sealed record PrefixHandle(string Prefix);

    private sealed record ContinuationHandle(List<LevelItem> Items);
}
