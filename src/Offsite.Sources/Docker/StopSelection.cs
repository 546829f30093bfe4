namespace Offsite.Sources.Docker;

/// <summary>
/// Which running containers a backup stops while it reads (and starts again afterwards):
/// those named, those carrying <c>docker-volume-backup.stop-during-backup=LabelValue</c> (the label
/// offen/docker-volume-backup uses, so labelled stacks work unchanged), and, for a volume with
/// stop_during_backup, every container that mounts it. <see cref="Records"/>, when set, is where the
/// run notes them first, and where it looks for containers a killed run left stopped.
/// </summary>
public sealed record StopSelection(IReadOnlyList<string> Names, string? LabelValue, string? MountingVolume)
{
    public const string LabelKey = "docker-volume-backup.stop-during-backup";

    public static StopSelection None { get; } = new([], null, null);

    public StopRecords? Records { get; init; }

    public bool IsEmpty => Names.Count == 0 && LabelValue is null && MountingVolume is null;
}
