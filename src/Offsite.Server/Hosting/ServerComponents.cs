using System.Text.Json;
using System.Text.Json.Serialization;
using Offsite.Server.Abstractions;
using Offsite.Server.Api;
using Offsite.Server.Metrics;
using Offsite.Server.Scheduling;

namespace Offsite.Server;

/// <summary>The parts of one running server, handed to the endpoints.</summary>
internal sealed record ServerComponents(
    Hosting.ServerOptions Options, IJobCatalog Catalog, IRepositoryQueries Queries, JobScheduler Scheduler, JobRunner Runner,
    ServerMetrics Metrics, TokenAuth Auth)
{
    public JsonSerializerOptions Json { get; } = CreateJsonOptions();

    public static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        return options;
    }
}
