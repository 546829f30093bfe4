using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace Offsite.App.Config;

/// <summary>
/// Binds a YAML (or JSON) node tree onto typed option classes, collecting every error with its
/// position instead of stopping at the first. Keys are the properties' names in snake_case.
/// Supported: string, bool, int, long, double, TimeSpan ("90s", "15m", "1h30m", "2d"), enums (snake
/// case names), <see cref="SecretValue"/> (key, key_file, key_command), List of any of these,
/// Dictionary&lt;string, T&gt;, and nested classes. <c>${VAR}</c> in a scalar is replaced by the
/// environment variable (an unset one is an error); <c>$${</c> stands for a literal <c>${</c>.
/// </summary>
public sealed class ConfigBinder
{
    private readonly string _file;
    private readonly Func<string, string?> _environment;
    private readonly List<ConfigError> _errors = new();

    private readonly IReadOnlyDictionary<Type, IReadOnlyDictionary<string, Type>> _typed;

    /// <param name="typed">for abstract section types (sources, restore targets): the concrete type for each <c>type:</c> name</param>
    public ConfigBinder(string file, Func<string, string?> environment, IReadOnlyDictionary<Type, IReadOnlyDictionary<string, Type>> typed)
    {
        _file = file;
        _environment = environment;
        _typed = typed;
    }

    public IReadOnlyList<ConfigError> Errors => _errors;

    public void Error(YamlNode node, string path, string message) =>
        _errors.Add(new ConfigError(_file, (int)node.Start.Line, (int)node.Start.Column, path, message));

    public T? Bind<T>(YamlNode node, string path) where T : class => (T?)BindValue(typeof(T), node, path);

    public object? BindValue(Type type, YamlNode node, string path)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string)) return Scalar(node, path);
        if (underlying == typeof(bool)) return Parse(node, path, "true or false", s => bool.TryParse(s, out bool b) ? b : null);
        if (underlying == typeof(int)) return Parse(node, path, "a whole number", s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int i) ? i : null);
        if (underlying == typeof(long)) return Parse(node, path, "a whole number", s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l) ? l : null);
        if (underlying == typeof(double)) return Parse(node, path, "a number", s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : null);
        if (underlying == typeof(TimeSpan)) return Parse(node, path, "a duration such as 90s, 15m, 1h30m or 7d", s => Durations.TryParse(s, out var t) ? t : null);
        if (underlying.IsEnum) return BindEnum(underlying, node, path);
        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(List<>)) return BindList(underlying, node, path);
        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(Dictionary<,>)) return BindDictionary(underlying, node, path);
        if (_typed.TryGetValue(underlying, out var kinds)) return BindTyped(kinds, node, path);
        return BindObject(underlying, node, path);
    }

    private string? Scalar(YamlNode node, string path)
    {
        if (node is not YamlScalarNode scalar)
        {
            Error(node, path, $"expected a single value, found a {KindOf(node)}");
            return null;
        }
        return Expand(scalar.Value ?? "", node, path);
    }

    private object? Parse(YamlNode node, string path, string expected, Func<string, object?> parse)
    {
        string? text = Scalar(node, path);
        if (text is null) return null;
        var value = parse(text.Trim());
        if (value is null) Error(node, path, $"'{text}' is not {expected}");
        return value;
    }

    private object? BindEnum(Type type, YamlNode node, string path)
    {
        string? text = Scalar(node, path);
        if (text is null) return null;
        foreach (var name in Enum.GetNames(type))
        {
            if (SnakeCase(name) == text.Trim().ToLowerInvariant()) return Enum.Parse(type, name);
        }
        Error(node, path, $"'{text}' is not allowed (allowed: {string.Join(", ", Enum.GetNames(type).Select(SnakeCase))})");
        return null;
    }

    private object? BindList(Type type, YamlNode node, string path)
    {
        var itemType = type.GetGenericArguments()[0];
        var list = (IList)Activator.CreateInstance(type)!;
        if (node is YamlScalarNode && itemType == typeof(string))
        {
            // One string where a list is expected: a list of one (paths: /srv, tags: nightly).
            if (Scalar(node, path) is { } single) list.Add(single);
            return list;
        }
        if (node is not YamlSequenceNode sequence)
        {
            Error(node, path, $"expected a list, found a {KindOf(node)}");
            return null;
        }
        int i = 0;
        foreach (var child in sequence.Children)
        {
            if (BindValue(itemType, child, $"{path}[{i}]") is { } item) list.Add(item);
            i++;
        }
        return list;
    }

    private object? BindDictionary(Type type, YamlNode node, string path)
    {
        var valueType = type.GetGenericArguments()[1];
        var dict = (IDictionary)Activator.CreateInstance(type, StringComparer.Ordinal)!;
        if (node is not YamlMappingNode mapping)
        {
            Error(node, path, $"expected a mapping of names to entries, found a {KindOf(node)}");
            return null;
        }
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            string key = ((YamlScalarNode)keyNode).Value ?? "";
            if (BindValue(valueType, valueNode, Join(path, key)) is { } value) dict[key] = value;
        }
        return dict;
    }

    /// <summary>A section whose <c>type:</c> key picks the class the other keys bind to.</summary>
    private object? BindTyped(IReadOnlyDictionary<string, Type> kinds, YamlNode node, string path)
    {
        if (node is not YamlMappingNode mapping)
        {
            Error(node, path, $"expected a mapping with a type key, found a {KindOf(node)}");
            return null;
        }
        var typeNode = mapping.Children.FirstOrDefault(c => (c.Key as YamlScalarNode)?.Value == "type").Value;
        if (typeNode is null)
        {
            Error(node, Join(path, "type"), $"missing (allowed: {string.Join(", ", kinds.Keys.Order(StringComparer.Ordinal))})");
            return null;
        }
        string? kind = Scalar(typeNode, Join(path, "type"));
        if (kind is null) return null;
        if (!kinds.TryGetValue(kind, out var concrete))
        {
            Error(typeNode, Join(path, "type"), $"'{kind}' is not a known type (allowed: {string.Join(", ", kinds.Keys.Order(StringComparer.Ordinal))})");
            return null;
        }
        return BindObject(concrete, node, path, skipKey: "type");
    }

    private object? BindObject(Type type, YamlNode node, string path, string? skipKey = null)
    {
        if (node is not YamlMappingNode mapping)
        {
            Error(node, path, $"expected a mapping (key: value), found a {KindOf(node)}");
            return null;
        }
        var target = Activator.CreateInstance(type)!;
        var properties = Properties(type);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            string key = (keyNode as YamlScalarNode)?.Value ?? "";
            string keyPath = Join(path, key);
            if (key == skipKey) continue;
            if (!TryMatch(properties, key, out var property, out var secretForm))
            {
                Error(keyNode, keyPath, $"unknown key (allowed: {string.Join(", ", AllowedKeys(properties))})");
                continue;
            }
            if (!seen.Add(property.Name))
            {
                Error(keyNode, keyPath, $"given twice (also as another form of {KeyOf(property)})");
                continue;
            }
            object? value = secretForm is null ? BindValue(property.PropertyType, valueNode, keyPath) : BindSecret(secretForm, valueNode, keyPath);
            if (value is not null) property.SetValue(target, value);
        }
        foreach (var property in properties.Where(p => p.GetCustomAttribute<RequiredKeyAttribute>() is not null && !seen.Contains(p.Name)))
        {
            Error(node, Join(path, KeyOf(property)), "missing (this key is required)");
        }
        return target;
    }

    private SecretValue? BindSecret(string form, YamlNode node, string path)
    {
        if (form == "command" && node is YamlSequenceNode argv)
        {
            var parts = argv.Children.Select((c, i) => Scalar(c, $"{path}[{i}]")).ToList();
            return parts.Any(p => p is null) ? null : new SecretValue(null, null, string.Join(' ', parts.Select(ShellQuote)));
        }
        string? text = Scalar(node, path);
        if (text is null) return null;
        if (text.Length == 0)
        {
            Error(node, path, "is empty");
            return null;
        }
        return form switch { "file" => new SecretValue(null, text, null), "command" => new SecretValue(null, null, text), _ => new SecretValue(text, null, null) };
    }

    private static bool TryMatch(IReadOnlyList<PropertyInfo> properties, string key, out PropertyInfo property, out string? secretForm)
    {
        foreach (var p in properties)
        {
            string name = KeyOf(p);
            if (p.PropertyType == typeof(SecretValue))
            {
                secretForm = key == name ? "value" : key == name + "_file" ? "file" : key == name + "_command" ? "command" : null;
                if (secretForm is not null)
                {
                    property = p;
                    return true;
                }
            }
            else if (key == name)
            {
                property = p;
                secretForm = null;
                return true;
            }
        }
        property = null!;
        secretForm = null;
        return false;
    }

    private static IEnumerable<string> AllowedKeys(IReadOnlyList<PropertyInfo> properties) =>
        properties.SelectMany(p => p.PropertyType == typeof(SecretValue)
            ? new[] { KeyOf(p), KeyOf(p) + "_file", KeyOf(p) + "_command" }
            : new[] { KeyOf(p) });

    public static IReadOnlyList<PropertyInfo> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToList();

    public static string KeyOf(PropertyInfo p) => p.GetCustomAttribute<KeyAttribute>()?.Name ?? SnakeCase(p.Name);

    public static string SnakeCase(string name)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }

    private string? Expand(string value, YamlNode node, string path)
    {
        if (!value.Contains('$', StringComparison.Ordinal)) return value;
        var sb = new StringBuilder();
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] == '$' && i + 2 < value.Length && value[i + 1] == '$' && value[i + 2] == '{')
            {
                sb.Append("${");
                i += 2;
            }
            else if (value[i] == '$' && i + 1 < value.Length && value[i + 1] == '{')
            {
                int end = value.IndexOf('}', i + 2);
                if (end < 0)
                {
                    Error(node, path, "'${' without a closing '}' (write $${ for a literal ${)");
                    return null;
                }
                string name = value[(i + 2)..end];
                if (_environment(name) is not { } v)
                {
                    Error(node, path, $"environment variable {name} is not set");
                    return null;
                }
                sb.Append(v);
                i = end;
            }
            else
            {
                sb.Append(value[i]);
            }
        }
        return sb.ToString();
    }

    private static string ShellQuote(string? s) => "'" + (s ?? "").Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    private static string KindOf(YamlNode node) => node switch
    {
        YamlMappingNode => "mapping",
        YamlSequenceNode => "list",
        _ => "single value",
    };
}
