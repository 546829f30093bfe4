using System.Text.Json.Serialization;
using Offsite.Core.Errors;

namespace Offsite.Core.Retention;

/// <summary>
/// Which snapshots `forget` keeps (grandfather-father-son). Every rule keeps snapshots; a snapshot is removed only
/// when no rule keeps it. The JSON names are the keys of a job's <c>retention:</c> block in the config file
/// (<c>keep_last</c>, <c>keep_daily</c>, <c>keep_within: 30d</c>, <c>keep_tag: [monthly]</c>, …), so a binder can fill it directly.
/// Counts are "the newest snapshot of each of the last N hours/days/ISO weeks/months/years that have one".
/// </summary>
public sealed record RetentionPolicy
{
    [JsonPropertyName("keep_last")] public int? KeepLast { get; init; }
    [JsonPropertyName("keep_hourly")] public int? KeepHourly { get; init; }
    [JsonPropertyName("keep_daily")] public int? KeepDaily { get; init; }
    [JsonPropertyName("keep_weekly")] public int? KeepWeekly { get; init; }
    [JsonPropertyName("keep_monthly")] public int? KeepMonthly { get; init; }
    [JsonPropertyName("keep_yearly")] public int? KeepYearly { get; init; }
    /// <summary>Keep every snapshot taken within this duration before now (e.g. <c>7d</c>).</summary>
    [JsonPropertyName("keep_within")] public string? KeepWithin { get; init; }
    [JsonPropertyName("keep_within_hourly")] public string? KeepWithinHourly { get; init; }
    [JsonPropertyName("keep_within_daily")] public string? KeepWithinDaily { get; init; }
    [JsonPropertyName("keep_within_weekly")] public string? KeepWithinWeekly { get; init; }
    [JsonPropertyName("keep_within_monthly")] public string? KeepWithinMonthly { get; init; }
    [JsonPropertyName("keep_within_yearly")] public string? KeepWithinYearly { get; init; }
    /// <summary>Keep every snapshot carrying any of these tags.</summary>
    [JsonPropertyName("keep_tag")] public IReadOnlyList<string> KeepTags { get; init; } = [];

    /// <summary>True when no rule is set: such a policy would remove everything, so it is refused.</summary>
    [JsonIgnore]
    public bool IsEmpty =>
        KeepLast is null && KeepHourly is null && KeepDaily is null && KeepWeekly is null && KeepMonthly is null && KeepYearly is null
        && KeepWithin is null && KeepWithinHourly is null && KeepWithinDaily is null && KeepWithinWeekly is null
        && KeepWithinMonthly is null && KeepWithinYearly is null && KeepTags.Count == 0;

    /// <summary>Throws a usage error for negative counts, unparsable durations or an empty policy.</summary>
    public void Validate()
    {
        if (IsEmpty)
        {
            throw new OffsiteException(ErrorKind.Usage, "no retention rule given (--keep-last, --keep-daily, --keep-within, …): refusing to remove every snapshot");
        }
        foreach (var (name, value) in Counts())
        {
            if (value is < 0)
            {
                throw new OffsiteException(ErrorKind.Usage, $"{name} must be 0 or more (got {value})");
            }
        }
        foreach (var (_, value) in Windows())
        {
            if (value is not null)
            {
                RetentionDuration.Parse(value);
            }
        }
    }

    private IEnumerable<(string, int?)> Counts() =>
    [
        ("keep_last", KeepLast), ("keep_hourly", KeepHourly), ("keep_daily", KeepDaily),
        ("keep_weekly", KeepWeekly), ("keep_monthly", KeepMonthly), ("keep_yearly", KeepYearly),
    ];

    internal IEnumerable<(string Rule, string? Value)> Windows() =>
    [
        ("within", KeepWithin), ("within-hourly", KeepWithinHourly), ("within-daily", KeepWithinDaily),
        ("within-weekly", KeepWithinWeekly), ("within-monthly", KeepWithinMonthly), ("within-yearly", KeepWithinYearly),
    ];

    public override string ToString()
    {
        var parts = new List<string>();
        foreach (var (name, value) in Counts())
        {
            if (value is not null) parts.Add($"{name}={value}");
        }
        foreach (var (name, value) in Windows())
        {
            if (value is not null) parts.Add($"keep_{name.Replace('-', '_')}={value}");
        }
        if (KeepTags.Count > 0) parts.Add("keep_tag=" + string.Join(',', KeepTags));
        return string.Join(' ', parts);
    }
}
