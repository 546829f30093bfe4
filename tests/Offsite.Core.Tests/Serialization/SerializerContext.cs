using System.Text.Json.Serialization;
using Offsite.Core.Repository;
using Offsite.Core.Snapshots;
using Offsite.Core.Trees;

namespace Offsite.Core.Tests.Serialization;

/// <summary>
/// The source-generated serializer with the options Offsite wrote its documents with before the
/// hand-written codecs (TreeJson, SnapshotJson, RepositoryConfigJson): the reference their bytes must equal,
/// because tree blob ids and the config MAC are computed over those bytes.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RepositoryConfig))]
[JsonSerializable(typeof(Tree))]
[JsonSerializable(typeof(Snapshot))]
internal sealed partial class SerializerContext : JsonSerializerContext;
