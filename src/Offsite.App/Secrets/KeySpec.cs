using Offsite.Core.Errors;
using Offsite.Core.Repository;

namespace Offsite.App.Secrets;

/// <summary>
/// Where the key that opens a repository comes from, in order of precedence: a key file, a key
/// command, then a passphrase from a file, a command or a value. Front ends fill it from flags,
/// environment variables or the config file.
/// </summary>
public sealed record KeySpec(
    string? KeyFile = null, string? KeyCommand = null, string? KeyText = null,
    string? PasswordFile = null, string? PasswordCommand = null, string? Password = null)
{
    public bool IsEmpty => KeyFile is null && KeyText is null && KeyCommand is null && PasswordFile is null && PasswordCommand is null && Password is null;

    /// <summary>This spec, with the other's sources where this one has none (flags over config).</summary>
    public KeySpec Or(KeySpec other) => IsEmpty ? other : this;

    /// <param name="prompt">asks a person for the passphrase when no source is given; null when nobody can answer</param>
    public KeySource Resolve(Func<string>? prompt)
    {
        if (!string.IsNullOrEmpty(KeyFile))
        {
            return KeySource.FromKeyText(SecretReader.ReadFile(KeyFile, "key file"), $"key file {KeyFile}");
        }
        if (!string.IsNullOrEmpty(KeyText))
        {
            return KeySource.FromKeyText(KeyText, "the configured key");
        }
        if (!string.IsNullOrEmpty(KeyCommand))
        {
            return KeySource.FromKeyText(SecretReader.RunCommand(KeyCommand, "the key command (--key-command)"), "the key command (--key-command)");
        }
        return KeySource.FromPassphrase(ResolvePassphrase(prompt), "passphrase");
    }

    public string ResolvePassphrase(Func<string>? prompt)
    {
        if (!string.IsNullOrEmpty(PasswordFile))
        {
            return SecretReader.FirstLine(SecretReader.ReadFile(PasswordFile, "password file"), $"password file {PasswordFile}");
        }
        if (!string.IsNullOrEmpty(PasswordCommand))
        {
            return SecretReader.FirstLine(SecretReader.RunCommand(PasswordCommand, "the password command (--password-command)"), "the password command's output");
        }
        if (!string.IsNullOrEmpty(Password))
        {
            return Password;
        }
        return prompt?.Invoke()
            ?? throw new OffsiteException(ErrorKind.Usage, "no passphrase or key: set OFFSITE_PASSWORD, --password-file, --password-command, --key-file or --key-command (or password_file / key_file in the config)");
    }
}
