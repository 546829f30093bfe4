using System.Text.Json.Nodes;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Offsite.Core.Errors;

namespace Offsite.Sources.Docker;

/// <summary>
/// Durable notes of the containers a backup holds stopped, so that the next Docker backup can start
/// them again when the one that stopped them was killed outright (SIGKILL, out of memory, power loss).
/// Each stopping run keeps two files in <see cref="Directory"/>: <c>RUN.lock</c>, created first and held
/// with flock(LOCK_EX) until every container was started again, and <c>RUN.json</c> (endpoint, pid,
/// host, containers), rewritten atomically (temp, fsync, rename, fsync of the directory) before each
/// stop. The kernel drops a flock when its process dies however it dies, so a lock file nobody holds
/// means its run is gone; unlike a pid, that cannot be fooled by pid reuse. A recovering run takes the
/// same lock, so two recoveries never act on one record and a live backup's containers are never touched.
/// </summary>
public sealed class StopRecords(string directory, ILogger log)
{
    public string Directory { get; } = directory;

    internal ILogger Log => log;

    /// <summary>Starts a record for one stopping run; nothing is written until the first container is added.</summary>
    public StopRecord Begin(DockerEndpoint endpoint) => new(this, endpoint.Display);

    /// <summary>
    /// Starts the containers that runs no longer alive left stopped (on this endpoint), one warning each,
    /// and forgets their records. Containers gone or already running are dropped silently; a record
    /// whose start failed keeps the failed containers for the next run.
    /// </summary>
    public async Task RecoverAsync(DockerClient client, DockerEndpoint endpoint, CancellationToken ct)
    {
        if (!System.IO.Directory.Exists(Directory)) return;
        foreach (string json in System.IO.Directory.EnumerateFiles(Directory, "*.json").Where(f => f.EndsWith(".json", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList())
        {
            try
            {
                await RecoverAsync(client, endpoint, json, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or InvalidOperationException or FormatException)
            {
                // The backup itself does not depend on it: say so and go on.
                log.LogWarning("docker: could not check {Record} for containers a killed backup left stopped: {Reason}", json, e.Message);
            }
        }
    }

    private async Task RecoverAsync(DockerClient client, DockerEndpoint endpoint, string json, CancellationToken ct)
    {
        string lockPath = Path.ChangeExtension(json, ".lock");
        using var held = StopRecordNative.OpenLockFile(lockPath);
        if (!StopRecordNative.TryLockExclusive(held, lockPath)) return; // its backup is still running
        if (!File.Exists(json))
        {
            File.Delete(lockPath); // another recovery finished it between the listing and the lock
            return;
        }
        var record = JsonNode.Parse(File.ReadAllText(json))?.AsObject() ?? throw new FormatException("empty record");
        if (record["endpoint"]?.GetValue<string>() != endpoint.Display) return; // a run against another daemon recovers it
        int pid = record["pid"]?.GetValue<int>() ?? 0;
        string host = record["host"]?.GetValue<string>() ?? "?";
        var left = new List<(string Id, string Name)>();
        foreach (var c in record["containers"]?.AsArray() ?? throw new FormatException("no containers"))
        {
            string id = c?["id"]?.GetValue<string>() ?? throw new FormatException("a container without id");
            string name = c["name"]?.GetValue<string>() ?? id;
            if (!await StartIfStoppedAsync(client, id, name, $"offsite pid {pid} on {host}", ct).ConfigureAwait(false)) left.Add((id, name));
        }
        if (left.Count > 0)
        {
            Write(json, endpoint.Display, left, pid, host);
            return;
        }
        File.Delete(json);
        File.Delete(json + ".tmp");
        File.Delete(lockPath);
    }

    /// <returns>false when the container should have been started and could not be</returns>
    private async Task<bool> StartIfStoppedAsync(DockerClient client, string id, string name, string owner, CancellationToken ct)
    {
        try
        {
            var state = (await client.Containers.InspectContainerAsync(id, ct).ConfigureAwait(false)).State;
            if (state is { Running: true }) return true; // someone started it already
            await client.Containers.StartContainerAsync(id, new ContainerStartParameters(), ct).ConfigureAwait(false);
            log.LogWarning("docker: started container {Name} that a killed backup had stopped ({Owner})", name, owner);
            return true;
        }
        catch (Exception e) when (DockerFailure.IsNotFound(e))
        {
            return true; // removed since: nothing to start
        }
        catch (Exception e) when (DockerFailure.IsDockerError(e))
        {
            log.LogWarning("docker: container {Name} was left stopped by a killed backup ({Owner}) and could not be started: {Cause}", name, owner, DockerFailure.Cause(e));
            return false;
        }
    }

    /// <summary>Replaces <paramref name="json"/> atomically and durably (mode 0600).</summary>
    internal static void Write(string json, string endpoint, IReadOnlyList<(string Id, string Name)> containers, int pid, string host)
    {
        var record = new JsonObject
        {
            ["endpoint"] = endpoint, ["pid"] = pid, ["host"] = host,
            ["containers"] = new JsonArray([.. containers.Select(c => (JsonNode)new JsonObject { ["id"] = c.Id, ["name"] = c.Name })]),
        };
        string temp = json + ".tmp";
        using (var file = new FileStream(temp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        {
            file.Write(System.Text.Encoding.UTF8.GetBytes(record.ToJsonString()));
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, json, overwrite: true);
        StopRecordNative.SyncDirectory(Path.GetDirectoryName(json)!);
    }
}

/// <summary>One run's record of the containers it holds stopped; <see cref="Dispose"/> forgets it once they run again.</summary>
public sealed class StopRecord : IDisposable
{
    private readonly StopRecords _records;
    private readonly string _endpoint;
    private readonly string _run = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
    private Microsoft.Win32.SafeHandles.SafeFileHandle? _lock;

    internal StopRecord(StopRecords records, string endpoint)
    {
        _records = records;
        _endpoint = endpoint;
    }

    private string JsonPath => Path.Combine(_records.Directory, _run + ".json");

    private string LockPath => Path.Combine(_records.Directory, _run + ".lock");

    /// <summary>Durably notes every container this run stopped or is about to stop.</summary>
    public void Save(IReadOnlyList<(string Id, string Name)> containers)
    {
        try
        {
            if (_lock is null)
            {
                System.IO.Directory.CreateDirectory(_records.Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                _lock = StopRecordNative.OpenLockFile(LockPath);
                if (!StopRecordNative.TryLockExclusive(_lock, LockPath)) throw new IOException("locked by another process");
            }
            StopRecords.Write(JsonPath, _endpoint, containers, Environment.ProcessId, Environment.MachineName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OffsiteException(ErrorKind.SourceFailed, $"cannot note the containers to stop in {_records.Directory} (so that a killed backup's containers get started again; set OFFSITE_STATE_DIR to a writable directory): {e.Message}", e);
        }
    }

    /// <summary>Leaves only <paramref name="containers"/> (which did not start again) noted, for the next run to start, and lets go of the record.</summary>
    public void Keep(IReadOnlyList<(string Id, string Name)> containers)
    {
        try
        {
            Save(containers);
        }
        finally
        {
            _lock?.Dispose(); // unlocked and not deleted: the next run's recovery takes it over
            _lock = null;
        }
    }

    /// <summary>Forgets the record (the containers run again); the lock goes last so no recovery sees a record without its owner's lock.</summary>
    public void Dispose()
    {
        if (_lock is null) return;
        try
        {
            File.Delete(JsonPath);
            File.Delete(LockPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Harmless once unlocked: its containers run, so the next recovery drops the record.
            _records.Log.LogWarning("docker: could not remove {Record}: {Reason}", JsonPath, e.Message);
        }
        _lock.Dispose();
        _lock = null;
    }
}
