using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Offsite.Server.Scheduling;

namespace Offsite.Server.Hosting;

/// <summary>SIGHUP reloads the config (like <c>POST /api/reload</c>) instead of ending the process.</summary>
internal sealed class SighupReloader : IHostedService, IDisposable
{
    private readonly JobScheduler _scheduler;
    private PosixSignalRegistration? _registration;

    public SighupReloader(JobScheduler scheduler) => _scheduler = scheduler;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true; // do not terminate
            // The reload logs and counts its own outcome; it must not run on the signal thread.
            _ = Task.Run(() => _scheduler.ReloadAsync(CancellationToken.None), CancellationToken.None);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _registration?.Dispose();
        _registration = null;
        return Task.CompletedTask;
    }

    public void Dispose() => _registration?.Dispose();
}
