namespace Offsite.App.Config;

/// <summary>One problem in a config file, with where it is: <c>file:line:column: key.path: what is wrong</c>.</summary>
public sealed record ConfigError(string File, int Line, int Column, string KeyPath, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {KeyPath}: {Message}";
}

/// <summary>A config file that cannot be used; <see cref="Errors"/> lists every problem found (exit code 2).</summary>
public sealed class ConfigException : Core.Errors.OffsiteException
{
    public ConfigException(IReadOnlyList<ConfigError> errors)
        : base(Core.Errors.ErrorKind.Usage, string.Join("\n", errors.Select(e => e.ToString()))) => Errors = errors;

    public ConfigException() : this([]) { }

    public ConfigException(string message) : this([new ConfigError("", 0, 0, "", message)]) { }

    public ConfigException(string message, Exception inner) : base(Core.Errors.ErrorKind.Usage, message, inner) => Errors = [];

    public IReadOnlyList<ConfigError> Errors { get; }
}
