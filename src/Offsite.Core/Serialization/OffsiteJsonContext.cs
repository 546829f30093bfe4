using System.Text.Json.Serialization;
using Offsite.Core.Content;
using Offsite.Core.Repository;
using Offsite.Core.Snapshots;
using Offsite.Core.Trees;

namespace Offsite.Core.Serialization;

/// <summary>Source-generated JSON for every plaintext document of the format: no reflection, fast, trimming-safe.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RepositoryConfig))]
[JsonSerializable(typeof(IndexFile))]
[JsonSerializable(typeof(Tree))]
[JsonSerializable(typeof(Snapshot))]
[JsonSerializable(typeof(Offsite.Core.Cache.PackLogLine))]
public sealed partial class OffsiteJsonContext : JsonSerializerContext;
