using Offsite.App.Sources;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Offsite.App.Config;

/// <summary>
/// Finds, parses, binds and validates the config file. Every problem is collected with its
/// position; a file with any is refused whole (<see cref="ConfigException"/>, exit code 2).
/// </summary>
public static class ConfigLoader
{
    public const string DefaultPath = "/etc/offsite/offsite.yaml";

    /// <summary>--config, then $OFFSITE_CONFIG, then /etc/offsite/offsite.yaml if it exists; null when none.</summary>
    public static string? Locate(string? flag, Func<string, string?> environment) =>
        !string.IsNullOrEmpty(flag) ? flag
        : environment("OFFSITE_CONFIG") is { Length: > 0 } env ? env
        : File.Exists(DefaultPath) ? DefaultPath : null;

    public static OffsiteConfig Load(string path, Func<string, string?> environment)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([new ConfigError(path, 0, 0, "", $"cannot read the config file: {e.Message}")]);
        }
        return Parse(text, path, environment);
    }

    public static OffsiteConfig Parse(string text, string file, Func<string, string?> environment)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            string message = e.InnerException?.Message ?? e.Message;
            throw new ConfigException([new ConfigError(file, (int)e.Start.Line, (int)e.Start.Column, "", $"not valid YAML/JSON: {Clean(message)}")]);
        }
        if (stream.Documents.Count == 0)
        {
            throw new ConfigException([new ConfigError(file, 1, 1, "", "the file is empty (expected repositories: and jobs:)")]);
        }
        var binder = new ConfigBinder(file, environment, SourceRegistry.Typed);
        var root = stream.Documents[0].RootNode;
        var config = binder.Bind<OffsiteConfig>(root, "");
        if (config is not null)
        {
            config.File = file;
            ConfigValidator.Validate(config, root, binder);
        }
        if (binder.Errors.Count > 0 || config is null)
        {
            throw new ConfigException(binder.Errors);
        }
        return config;
    }

    private static string Clean(string message)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: …) - (…): "; the position is already in front.
        int at = message.LastIndexOf("): ", StringComparison.Ordinal);
        return at >= 0 ? message[(at + 3)..] : message;
    }
}
