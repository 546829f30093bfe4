using Offsite.App.Config;

namespace Offsite.App.Sources.Http;

/// <summary>A header whose value is a secret (<c>value</c>, <c>value_file</c>, <c>value_command</c>): redacted everywhere.</summary>
public sealed class SecretHeaderSection
{
    [RequiredKey]
    public string Name { get; set; } = "";
    [RequiredKey]
    public SecretValue? Value { get; set; }
}
