using YamlDotNet.RepresentationModel;

namespace Offsite.App.Config;

/// <summary>Checks that need the whole file: references between sections, required choices.</summary>
internal static class ConfigValidator
{
    public static void Validate(OffsiteConfig config, YamlNode root, ConfigBinder binder)
    {
        foreach (var (name, job) in config.Jobs)
        {
            var node = Find(root, "jobs", name) ?? root;
            string path = $"jobs.{name}";
            if (job.Repository is null && config.Repositories.Count != 1)
            {
                binder.Error(node, path + ".repository", config.Repositories.Count == 0
                    ? "missing: no repository is declared (add repositories:)"
                    : $"missing: name one of the repositories (allowed: {string.Join(", ", config.Repositories.Keys)})");
            }
            else if (job.Repository is not null && !config.Repositories.ContainsKey(job.Repository))
            {
                binder.Error(Find(root, "jobs", name, "repository") ?? node, path + ".repository",
                    $"'{job.Repository}' is not a repository of this file (allowed: {string.Join(", ", config.Repositories.Keys)})");
            }
            if (job.AllSources.Count == 0)
            {
                binder.Error(node, path + ".source", "missing: a job needs source: or sources:");
            }
            foreach (var (hook, argv) in new[] { ("before", job.Hooks?.Before), ("after", job.Hooks?.After) })
            {
                if (argv is { Count: 0 })
                {
                    binder.Error(Find(root, "jobs", name, "hooks", hook) ?? node, $"{path}.hooks.{hook}", "is empty: give the program and its arguments as a list");
                }
            }
        }
        foreach (var (name, repo) in config.Repositories)
        {
            if (repo.Password is not null && repo.Key is not null)
            {
                binder.Error(Find(root, "repositories", name) ?? root, $"repositories.{name}", "give a password or a key, not both");
            }
        }
    }

    /// <summary>The node at a key path, for positions of errors found after binding.</summary>
    public static YamlNode? Find(YamlNode root, params string[] keys)
    {
        var node = root;
        foreach (string key in keys)
        {
            if (node is not YamlMappingNode m || !m.Children.TryGetValue(new YamlScalarNode(key), out var child))
            {
                return null;
            }
            node = child;
        }
        return node;
    }
}
