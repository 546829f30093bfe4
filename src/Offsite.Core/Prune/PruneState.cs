using System.Text.Json;
using System.Text.Json.Serialization;
using Offsite.Core.Errors;
using Offsite.Core.Storage;

namespace Offsite.Core.Prune;

/// <summary>
/// The plaintext object <c>prune-state</c> (docs/format.md, "Forget and prune"): the packs each prune condemned, when
/// they may be deleted, and which were. Every backup reads it (a write-only host can: it is plaintext and one object),
/// so no host references a pack a prune may delete. Only a prune holding the prune lock writes it.
/// </summary>
public sealed class PruneState
{
    public const string Key = "prune-state";
    /// <summary>Done generations older than this are dropped; hosts that have not run since then drop their whole pack log.</summary>
    public static readonly TimeSpan HistoryKept = TimeSpan.FromDays(90);
    /// <summary>The shortest grace period a prune accepts: a backup's snapshot PUT must finish within a quarter of it.</summary>
    public static readonly TimeSpan MinimumGrace = TimeSpan.FromMinutes(1);
    /// <summary>How long a backup's snapshot PUT may take after its commit check (a quarter of <see cref="MinimumGrace"/>).</summary>
    public static readonly TimeSpan SnapshotDeadline = MinimumGrace / 4;

    [JsonPropertyName("version")] public int Version { get; set; } = 1;
    [JsonPropertyName("generation")] public int Generation { get; set; }
    [JsonPropertyName("graceSeconds")] public long GraceSeconds { get; set; }
    [JsonPropertyName("forgottenThrough")] public int ForgottenThrough { get; set; }
    [JsonPropertyName("generations")] public List<PruneGeneration> Generations { get; set; } = new();

    /// <summary>False when the object did not exist (a repository from before prune-state): a prune then writes it.</summary>
    [JsonIgnore] public bool Stored { get; private set; } = true;

    [JsonIgnore] public TimeSpan Grace => TimeSpan.FromSeconds(GraceSeconds);

    /// <summary>Every pack listed by any generation, pending or deleted: none may be referenced by a new snapshot.</summary>
    public HashSet<string> CondemnedPacks()
    {
        var all = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in Generations)
        {
            all.UnionWith(g.Packs);
            all.UnionWith(g.Deleted);
        }
        return all;
    }

    public static async Task<PruneState> ReadAsync(IStorage storage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        byte[] bytes;
        try
        {
            bytes = await storage.GetAsync(Key, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectNotFoundException)
        {
            return new PruneState { Stored = false }; // never pruned: generation 0, nothing condemned
        }
        try
        {
            var state = JsonSerializer.Deserialize(bytes, PruneJsonContext.Default.PruneState)
                ?? throw new JsonException("empty document");
            if (state.Version != 1)
            {
                throw new OffsiteException(ErrorKind.Usage, $"{Key} has version {state.Version}, which this offsite does not know; upgrade offsite");
            }
            return state;
        }
        catch (JsonException e)
        {
            // Unreadable means unknown condemnations: a backup must not guess that nothing was condemned.
            throw new OffsiteException(ErrorKind.RepositoryDamaged, $"{Key} is not valid JSON ({e.Message}); a prune rewrites it (offsite prune)", e);
        }
    }

    public Task WriteAsync(IStorage storage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return storage.PutAsync(Key, JsonSerializer.SerializeToUtf8Bytes(this, PruneJsonContext.Default.PruneState), cancellationToken);
    }

    /// <summary>Drops done generations older than <see cref="HistoryKept"/> and records the highest dropped number.</summary>
    public void ForgetOldHistory(DateTimeOffset now)
    {
        foreach (var g in Generations.Where(g => g.Done is { } done && done < now - HistoryKept).ToList())
        {
            ForgottenThrough = Math.Max(ForgottenThrough, g.Generation);
            Generations.Remove(g);
        }
    }
}

/// <summary>The packs one prune run condemned.</summary>
public sealed class PruneGeneration
{
    [JsonPropertyName("generation")] public int Generation { get; set; }
    [JsonPropertyName("condemned")] public DateTimeOffset Condemned { get; set; }
    [JsonPropertyName("deleteAfter")] public DateTimeOffset DeleteAfter { get; set; }
    /// <summary>When the last of its packs was deleted; null while some are pending.</summary>
    [JsonPropertyName("done")] public DateTimeOffset? Done { get; set; }
    /// <summary>Condemned, not yet deleted.</summary>
    [JsonPropertyName("packs")] public List<string> Packs { get; set; } = new();
    /// <summary>Deleted by a sweep.</summary>
    [JsonPropertyName("deleted")] public List<string> Deleted { get; set; } = new();
}

[JsonSerializable(typeof(PruneState))]
[JsonSourceGenerationOptions(WriteIndented = false)]
internal sealed partial class PruneJsonContext : JsonSerializerContext;
