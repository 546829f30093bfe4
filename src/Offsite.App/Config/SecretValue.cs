using Offsite.App.Secrets;

namespace Offsite.App.Config;

/// <summary>
/// A secret in the config file, in one of three forms: the value itself (<c>password: ${PW}</c>),
/// a file holding it (<c>password_file: /run/secrets/pw</c>) or a command printing it
/// (<c>password_command: [vault, kv, get, …]</c> or a shell string). Never printed: <see cref="ToString"/>
/// shows only which form it takes.
/// </summary>
public sealed record SecretValue(string? Value, string? File, string? Command)
{
    /// <summary>The secret, read from its file or command now.</summary>
    public string Resolve(string what) =>
        Value ?? (File is not null ? SecretReader.FirstLine(SecretReader.ReadFile(File, what + " file"), what + " file " + File)
            : SecretReader.FirstLine(SecretReader.RunCommand(Command!, what + " command"), what + " command's output"));

    public override string ToString() => Value is not null ? "<redacted>" : File is not null ? $"<from file {File}>" : "<from a command>";
}
