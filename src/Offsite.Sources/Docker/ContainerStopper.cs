using Docker.DotNet;
using Docker.DotNet.Models;
using Offsite.Core.Errors;

namespace Offsite.Sources.Docker;

/// <summary>
/// Stops the selected running containers for the duration of a backup. The returned handle starts
/// them again however the backup ended (success, failure, cancellation): restarting uses its own
/// bounded timeout, never the backup's token, so Ctrl-C cannot leave a service down. Each container
/// is noted in the selection's <see cref="StopRecords"/> before it is stopped, and containers a
/// killed run left stopped are started first, so SIGKILL cannot leave a service down for good either.
/// </summary>
public static class ContainerStopper
{
    /// <summary>How long a restart may take before it is reported as failed.</summary>
    public static readonly TimeSpan RestartTimeout = TimeSpan.FromMinutes(2);

    /// <param name="except">a container never stopped (the one a dump runs in)</param>
    public static async Task<StoppedContainers> StopAsync(DockerClient client, DockerEndpoint endpoint, StopSelection selection, string? except, string subject, CancellationToken ct)
    {
        if (selection.Records is { } records) await records.RecoverAsync(client, endpoint, ct).ConfigureAwait(false);
        var stopped = new StoppedContainers(client, subject, selection.Records?.Begin(endpoint));
        if (selection.IsEmpty) return stopped;
        try
        {
            foreach (var (id, name) in await SelectAsync(client, selection, ct).ConfigureAwait(false))
            {
                if (except is not null && (id.StartsWith(except, StringComparison.Ordinal) || name == except.TrimStart('/'))) continue;
                // Recorded first: a stop interrupted half-way still gets a start.
                stopped.Add(id, name);
                await client.Containers.StopContainerAsync(id, new ContainerStopParameters(), ct).ConfigureAwait(false);
            }
            return stopped;
        }
        catch (Exception e) when (DockerFailure.IsDockerError(e) || e is OffsiteException or OperationCanceledException)
        {
            var problems = await stopped.RestartAsync().ConfigureAwait(false);
            if (e is OperationCanceledException) throw;
            string restart = problems.Count == 0 ? "" : "; " + string.Join("; ", problems);
            throw new OffsiteException(ErrorKind.SourceFailed, $"{subject}: stopping containers: {DockerFailure.For(subject, e, endpoint, ErrorKind.SourceFailed, ErrorKind.SourceFailed).Message}{restart}", e);
        }
    }

    private static async Task<List<(string Id, string Name)>> SelectAsync(DockerClient client, StopSelection selection, CancellationToken ct)
    {
        var found = new List<(string, string)>();
        async Task AddAsync(string filter, string value)
        {
            var list = await client.Containers.ListContainersAsync(new ContainersListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    [filter] = new Dictionary<string, bool> { [value] = true },
                    ["status"] = new Dictionary<string, bool> { ["running"] = true },
                },
            }, ct).ConfigureAwait(false);
            foreach (var c in list.OrderBy(c => c.ID, StringComparer.Ordinal))
            {
                if (!found.Exists(f => f.Item1 == c.ID)) found.Add((c.ID, c.Names.FirstOrDefault()?.TrimStart('/') ?? c.ID[..12]));
            }
        }
        foreach (string name in selection.Names)
        {
            // Inspect (not a name filter, which matches substrings): a missing name is an error, a stopped one is left alone.
            var c = await client.Containers.InspectContainerAsync(name, ct).ConfigureAwait(false);
            if (c.State is { Running: true } && !found.Exists(f => f.Item1 == c.ID)) found.Add((c.ID, c.Name.TrimStart('/')));
        }
        if (selection.LabelValue is { } value) await AddAsync("label", $"{StopSelection.LabelKey}={value}").ConfigureAwait(false);
        if (selection.MountingVolume is { } volume) await AddAsync("volume", volume).ConfigureAwait(false);
        return found;
    }
}

/// <summary>The containers a backup stopped; <see cref="RestartAsync"/> starts them again (once).</summary>
public sealed class StoppedContainers(DockerClient client, string subject, StopRecord? record)
{
    private readonly List<(string Id, string Name)> _stopped = [];

    public IReadOnlyList<string> Names => _stopped.ConvertAll(c => c.Name);

    /// <summary>Notes the container durably (when records are kept) before the caller stops it.</summary>
    internal void Add(string id, string name)
    {
        record?.Save([.. _stopped, (id, name)]);
        _stopped.Add((id, name));
    }

    /// <summary>Starts every stopped container (last stopped first); returns one line per container that did not start.</summary>
    public async Task<IReadOnlyList<string>> RestartAsync()
    {
        var problems = new List<string>();
        var failed = new List<(string Id, string Name)>();
        using var timeout = new CancellationTokenSource(ContainerStopper.RestartTimeout);
        for (int i = _stopped.Count - 1; i >= 0; i--)
        {
            var (id, name) = _stopped[i];
            try
            {
                await client.Containers.StartContainerAsync(id, new ContainerStartParameters(), timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (DockerFailure.IsDockerError(e) || e is OperationCanceledException)
            {
                problems.Add($"{subject}: container {name} was stopped for the backup and could not be started again: {(e is OperationCanceledException ? "timed out" : DockerFailure.Cause(e))}");
                failed.Add((id, name));
            }
        }
        _stopped.Clear();
        // Those that did not start stay noted: the next Docker backup tries again.
        if (failed.Count > 0 && record is not null)
        {
            try
            {
                record.Keep(failed);
            }
            catch (OffsiteException e)
            {
                problems.Add(e.Message);
            }
        }
        record?.Dispose();
        return problems;
    }

    /// <summary>Restarts and turns a failed restart into a SourceFailed error (so no snapshot claims all went well).</summary>
    public async Task RestartOrThrowAsync()
    {
        var problems = await RestartAsync().ConfigureAwait(false);
        if (problems.Count > 0)
        {
            throw new OffsiteException(ErrorKind.SourceFailed, string.Join("; ", problems));
        }
    }
}
