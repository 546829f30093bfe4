using Offsite.App.Config;
using Offsite.Server.Abstractions;

namespace Offsite.Cli.Serve;

/// <summary>The config file's jobs as the server schedules them; <see cref="ReloadAsync"/> re-reads the file (a bad file keeps the old jobs).</summary>
public sealed class ConfigJobCatalog(string path) : IJobCatalog
{
    private OffsiteConfig _config = ConfigLoader.Load(path, CliEnvironment.Get);

    public OffsiteConfig Config => Volatile.Read(ref _config);

    public IReadOnlyList<JobDefinition> Jobs => Config.Jobs.Select(j => Define(Config, j.Key, j.Value)).ToList();

    public IReadOnlyList<string> Repositories => Config.Repositories.Keys.ToList();

    public Task<CatalogReloadResult> ReloadAsync(CancellationToken cancellationToken)
    {
        try
        {
            Volatile.Write(ref _config, ConfigLoader.Load(path, CliEnvironment.Get));
            return Task.FromResult(CatalogReloadResult.Success);
        }
        catch (ConfigException e)
        {
            return Task.FromResult(CatalogReloadResult.Failed(e.Message));
        }
    }

    private static JobDefinition Define(OffsiteConfig config, string name, JobSection job) => new()
    {
        Name = name,
        Repository = ConfigResolver.RepositoryNameOf(config, job),
        Schedule = job.Schedule,
        TimeZone = job.TimeZone,
        Jitter = job.Jitter ?? TimeSpan.Zero,
        Timeout = job.Timeout,
        HasRetention = job.Retention is not null,
        Notifications = Notifications(job.Notify),
    };

    private static NotificationSettings Notifications(NotifySection? n) => n is null ? NotificationSettings.None : new()
    {
        OnSuccess = n.OnSuccess,
        WebhookUrl = n.Webhook is null ? null : new Uri(n.Webhook),
        SlackUrl = n.Slack is null ? null : new Uri(n.Slack),
        PingUrl = n.Ping is null ? null : new Uri(n.Ping),
        Email = n.Email is not { } e ? null : new EmailSettings
        {
            Host = e.Host, Port = e.Port ?? 587, StartTls = e.StartTls ?? true, From = e.From, To = e.To,
            Username = e.Username, Password = e.Password?.Resolve("smtp password"),
        },
    };
}
