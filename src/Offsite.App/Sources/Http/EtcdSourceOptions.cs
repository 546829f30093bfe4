using Offsite.Sources.Http;
using Offsite.App.Config;

namespace Offsite.App.Sources.Http;

/// <summary>
/// <c>type: etcd</c>: the v3 maintenance snapshot through etcd's HTTP gateway
/// (<c>POST /v3/maintenance/snapshot</c>), decoded from its JSON stream and checked against its
/// SHA-256 trailer; the same bytes <c>etcdctl snapshot save</c> writes.
/// </summary>
public sealed class EtcdSourceOptions : SourceOptions
{
    [Help("the client URL of one member (default: the first of ETCDCTL_ENDPOINTS, else http://127.0.0.1:2379)")]
    public string? Address { get; set; }
    [Help("TLS (defaults: ETCDCTL_CACERT, ETCDCTL_CERT, ETCDCTL_KEY)")]
    public TlsSection? Tls { get; set; }
    [Help("the snapshot's source name (default etcd:host:port)")]
    public string? Name { get; set; }
    [Help("the file name in the snapshot (default etcd.db)")]
    public string? FileName { get; set; }

    public override SourcePlan Plan(SourceContext context)
    {
        var preset = HttpPreset.Etcd;
        var address = ServiceConnection.Address(preset, Address, context.Environment, "etcd source");
        var request = new HttpSnapshotRequest(
            preset.Name, Name ?? $"etcd:{ServiceConnection.HostPort(address)}", FileName ?? preset.FileName,
            preset.BackupMethod, new Uri(address, preset.BackupPath), [], TlsSection.Resolve(Tls, preset, context.Environment))
        {
            Body = preset.BackupBody,
            Decode = (body, what) => new EtcdSnapshotDecoder(body, what),
        };
        return SourcePlan.ForStreams(new HttpStreamSource(request));
    }
}
