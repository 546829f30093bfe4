using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Offsite.Server.Abstractions;
using Offsite.Server.Metrics;
using Offsite.Server.Scheduling;
using Prometheus;

namespace Offsite.Server.Api;

/// <summary>The HTTP API of docs/api.md. Authentication is done before routing (<see cref="ServerPipeline"/>).</summary>
internal static partial class ApiEndpoints
{
    public static void Map(IEndpointRouteBuilder app, ServerComponents c)
    {
        JsonSerializerOptions json = c.Json;

        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", () => c.Scheduler.Started && !c.Scheduler.Stopping
            ? Results.Json(new { status = "ready" }, json)
            : Results.Json(new { status = c.Scheduler.Stopping ? "stopping" : "starting" }, json, statusCode: StatusCodes.Status503ServiceUnavailable));

        app.MapGet("/metrics", async (HttpContext ctx) =>
        {
            ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await c.Metrics.Registry.CollectAndExportAsTextAsync(ctx.Response.Body, ctx.RequestAborted).ConfigureAwait(false);
        });

        app.MapGet("/api/jobs", () => Results.Json(c.Scheduler.Jobs.Values.OrderBy(j => j.Definition.Name, StringComparer.Ordinal)
            .Select(j => JobDocument.From(j, c.Runner.IsRunning(j.Definition.Name))), json));

        app.MapGet("/api/jobs/{name}", (string name) => c.Scheduler.Jobs.TryGetValue(name, out ScheduledJob? j)
            ? Results.Json(JobDocument.From(j, c.Runner.IsRunning(name)), json)
            : NotFound(json, $"no job named {name}"));

        app.MapPost("/api/jobs/{name}/run", async (string name, HttpContext ctx) =>
        {
            StartOutcome outcome = await c.Scheduler.RunNowAsync(name, ctx.RequestAborted).ConfigureAwait(false);
            return outcome.Kind switch
            {
                StartOutcomeKind.Started => Results.Json(RunDocument.From(outcome.Run!, withLog: false), json, statusCode: StatusCodes.Status202Accepted),
                StartOutcomeKind.UnknownJob => NotFound(json, outcome.Message!),
                StartOutcomeKind.RunningHere or StartOutcomeKind.RunningElsewhere => Error(json, StatusCodes.Status409Conflict, outcome.Message!),
                _ => Error(json, StatusCodes.Status503ServiceUnavailable, outcome.Message!),
            };
        });

        app.MapPost("/api/jobs/{name}/pause", (string name) => SetPaused(c, json, name, true));
        app.MapPost("/api/jobs/{name}/resume", (string name) => SetPaused(c, json, name, false));

        app.MapGet("/api/runs", (HttpContext ctx) =>
        {
            string? job = ctx.Request.Query["job"];
            if (!TryLimit(ctx, 50, out int limit, out string? problem))
            {
                return BadRequest(json, problem!);
            }
            return Results.Json(c.Runner.History.Recent(job, limit).Select(r => RunDocument.From(r, withLog: false)), json);
        });

        app.MapGet("/api/runs/{id}", (string id) => c.Runner.History.Find(id) is { } run
            ? Results.Json(RunDocument.From(run, withLog: true), json)
            : NotFound(json, $"no run {id} (runs are kept in memory: the newest {c.Options.RunHistory} since the server started)"));

        app.MapGet("/api/snapshots", async (HttpContext ctx) =>
        {
            string? repository = ctx.Request.Query["repository"];
            string? job = ctx.Request.Query["job"];
            if (!TryLimit(ctx, 100, out int limit, out string? problem))
            {
                return BadRequest(json, problem!);
            }
            if (repository is not null && !c.Catalog.Repositories.Contains(repository, StringComparer.Ordinal))
            {
                return NotFound(json, $"no repository named {repository}");
            }
            if (job is not null && !c.Scheduler.Jobs.ContainsKey(job))
            {
                return NotFound(json, $"no job named {job}");
            }
            var filter = new SnapshotFilter { Repository = repository, Job = job, Host = ctx.Request.Query["host"], Tag = ctx.Request.Query["tag"], Limit = limit };
            return await Guarded(json, async () => Results.Json(await c.Queries.ListSnapshotsAsync(filter, ctx.RequestAborted).ConfigureAwait(false), json)).ConfigureAwait(false);
        });

        app.MapPost("/api/check", async (HttpContext ctx) =>
        {
            (CheckRequest? body, string? error) = await JsonBody.ReadAsync(ctx.Request, json, new CheckRequest(null, null), ctx.RequestAborted).ConfigureAwait(false);
            if (body is null)
            {
                return BadRequest(json, error!);
            }
            if (body.ReadDataSubset is { } subset && !SubsetPattern().IsMatch(subset))
            {
                return BadRequest(json, $"read_data_subset '{subset}' is not a percentage (\"10%\") or a fraction (\"1/5\")");
            }
            if (!ResolveRepository(c, body.Repository, out string? repository, out IResult? refusal))
            {
                return refusal!;
            }
            return await Guarded(json, async () => Results.Json(await c.Queries.CheckAsync(repository!, body.ReadDataSubset, ctx.RequestAborted).ConfigureAwait(false), json)).ConfigureAwait(false);
        });

        app.MapPost("/api/forget", async (HttpContext ctx) =>
        {
            (ForgetRequest? body, string? error) = await JsonBody.ReadAsync(ctx.Request, json, new ForgetRequest(null, null, false), ctx.RequestAborted).ConfigureAwait(false);
            if (body is null)
            {
                return BadRequest(json, error!);
            }
            if (!ResolveRepository(c, body.Repository, out string? repository, out IResult? refusal))
            {
                return refusal!;
            }
            if (body.Job is not null && (!c.Scheduler.Jobs.TryGetValue(body.Job, out ScheduledJob? j) || j.Definition.Repository != repository))
            {
                return NotFound(json, $"no job named {body.Job} on repository {repository}");
            }
            if (NoRetention(c, repository!) is { } conflict)
            {
                return Error(json, StatusCodes.Status409Conflict, conflict);
            }
            return await Guarded(json, async () => Results.Json(await c.Queries.ForgetAsync(repository!, body.Job, body.DryRun, ctx.RequestAborted).ConfigureAwait(false), json)).ConfigureAwait(false);
        });

        app.MapPost("/api/prune", async (HttpContext ctx) =>
        {
            (PruneRequest? body, string? error) = await JsonBody.ReadAsync(ctx.Request, json, new PruneRequest(null, false), ctx.RequestAborted).ConfigureAwait(false);
            if (body is null)
            {
                return BadRequest(json, error!);
            }
            if (!ResolveRepository(c, body.Repository, out string? repository, out IResult? refusal))
            {
                return refusal!;
            }
            if (NoRetention(c, repository!) is { } conflict)
            {
                return Error(json, StatusCodes.Status409Conflict, conflict);
            }
            return await Guarded(json, async () => Results.Json(await c.Queries.PruneAsync(repository!, body.DryRun, ctx.RequestAborted).ConfigureAwait(false), json)).ConfigureAwait(false);
        });

        app.MapPost("/api/reload", async (HttpContext ctx) =>
        {
            string? error = await c.Scheduler.ReloadAsync(ctx.RequestAborted).ConfigureAwait(false);
            return error is null
                ? Results.Json(new ReloadDocument(c.Scheduler.Jobs.Count), json)
                : Error(json, StatusCodes.Status422UnprocessableEntity, error);
        });
    }

    private static IResult SetPaused(ServerComponents c, JsonSerializerOptions json, string name, bool paused) =>
        c.Scheduler.SetPaused(name, paused) && c.Scheduler.Jobs.TryGetValue(name, out ScheduledJob? j)
            ? Results.Json(JobDocument.From(j, c.Runner.IsRunning(name)), json)
            : NotFound(json, $"no job named {name}");

    /// <summary>The repository named in the request, or the only one; a 400/404 otherwise.</summary>
    private static bool ResolveRepository(ServerComponents c, string? requested, out string? repository, out IResult? refusal)
    {
        IReadOnlyList<string> all = c.Catalog.Repositories;
        refusal = null;
        repository = requested;
        if (requested is null)
        {
            if (all.Count == 1)
            {
                repository = all[0];
                return true;
            }
            refusal = BadRequest(c.Json, $"\"repository\" is required: one of {string.Join(", ", all)}");
            return false;
        }
        if (!all.Contains(requested, StringComparer.Ordinal))
        {
            refusal = NotFound(c.Json, $"no repository named {requested}");
            return false;
        }
        return true;
    }

    private static string? NoRetention(ServerComponents c, string repository) =>
        c.Scheduler.Jobs.Values.Any(j => j.Definition.Repository == repository && j.Definition.HasRetention)
            ? null
            : $"repository {repository} has no retention policy: configure one before forget or prune";

    /// <summary>Maps the application layer's errors: not supported → 409, anything else → 500 with its one-line message.</summary>
    private static async Task<IResult> Guarded(JsonSerializerOptions json, Func<Task<IResult>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (RepositoryOperationNotSupportedException e)
        {
            return Error(json, StatusCodes.Status409Conflict, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Error(json, StatusCodes.Status500InternalServerError, e.Message.ReplaceLineEndings(" "));
        }
    }

    private static bool TryLimit(HttpContext ctx, int fallback, out int limit, out string? problem)
    {
        problem = null;
        limit = fallback;
        string? text = ctx.Request.Query["limit"];
        if (text is null)
        {
            return true;
        }
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= 10_000)
        {
            return true;
        }
        problem = "limit must be a number from 1 to 10000";
        return false;
    }

    private static IResult Error(JsonSerializerOptions json, int status, string message) => Results.Json(new ErrorDocument(message), json, statusCode: status);
    private static IResult BadRequest(JsonSerializerOptions json, string message) => Error(json, StatusCodes.Status400BadRequest, message);
    private static IResult NotFound(JsonSerializerOptions json, string message) => Error(json, StatusCodes.Status404NotFound, message);

    [GeneratedRegex(@"^(100|[1-9]?[0-9])(\.[0-9]+)?%$|^[1-9][0-9]{0,5}/[1-9][0-9]{0,5}$")]
    private static partial Regex SubsetPattern();
}
