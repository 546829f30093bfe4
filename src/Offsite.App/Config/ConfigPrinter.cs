using System.Collections;
using System.Globalization;
using System.Text;

namespace Offsite.App.Config;

/// <summary>
/// Prints the effective config as YAML, with every secret replaced by where it comes from
/// (<see cref="SecretValue.ToString"/>): <c>offsite config show</c>.
/// </summary>
public static class ConfigPrinter
{
    public static string Print(OffsiteConfig config)
    {
        var sb = new StringBuilder();
        WriteObject(sb, config, 0, typeName: null);
        return sb.ToString();
    }

    private static void WriteObject(StringBuilder sb, object obj, int indent, string? typeName)
    {
        if (typeName is not null)
        {
            Line(sb, indent, $"type: {typeName}");
        }
        foreach (var p in ConfigBinder.Properties(obj.GetType()))
        {
            if (p.Name == nameof(OffsiteConfig.File) && obj is OffsiteConfig) continue;
            var value = p.GetValue(obj);
            if (value is null || value is IList { Count: 0 } || value is IDictionary { Count: 0 } || value is false) continue;
            WriteValue(sb, ConfigBinder.KeyOf(p), value, indent);
        }
    }

    private static void WriteValue(StringBuilder sb, string key, object value, int indent)
    {
        switch (value)
        {
            case SecretValue secret:
                Line(sb, indent, $"{key}: {Quote(secret.ToString())}");
                break;
            case string or bool or int or long or double or Enum:
                Line(sb, indent, $"{key}: {Scalar(value)}");
                break;
            case TimeSpan t:
                Line(sb, indent, $"{key}: {(long)t.TotalSeconds}s");
                break;
            case IDictionary dict:
                Line(sb, indent, key + ":");
                foreach (DictionaryEntry e in dict)
                {
                    WriteValue(sb, (string)e.Key, e.Value!, indent + 2);
                }
                break;
            case IList list:
                Line(sb, indent, key + ":");
                foreach (var item in list)
                {
                    if (item is string or int or long or bool)
                    {
                        Line(sb, indent + 2, "- " + Scalar(item));
                        continue;
                    }
                    var inner = new StringBuilder();
                    WriteObject(inner, item!, 0, TypeNameOf(item!));
                    string[] lines = inner.ToString().TrimEnd('\n').Split('\n');
                    for (int i = 0; i < lines.Length; i++)
                    {
                        Line(sb, indent + 2, (i == 0 ? "- " : "  ") + lines[i]);
                    }
                }
                break;
            default:
                Line(sb, indent, key + ":");
                WriteObject(sb, value, indent + 2, TypeNameOf(value));
                break;
        }
    }

    private static string? TypeNameOf(object value)
    {
        foreach (var kinds in Sources.SourceRegistry.Typed.Values)
        {
            foreach (var (name, type) in kinds)
            {
                if (type == value.GetType()) return name;
            }
        }
        return null;
    }

    private static string Scalar(object value) => value switch
    {
        string s => Quote(s),
        bool b => b ? "true" : "false",
        Enum e => ConfigBinder.SnakeCase(e.ToString()),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static void Line(StringBuilder sb, int indent, string text) => sb.Append(' ', indent).Append(text).Append('\n');
}
