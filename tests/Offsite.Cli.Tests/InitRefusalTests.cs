namespace Offsite.Cli.Tests;

/// <summary><c>init</c> creates a repository only where nothing else lives.</summary>
public sealed class InitRefusalTests
{
    [Fact]
    public void Init_refuses_a_non_empty_directory_and_names_an_existing_repository()
    {
        using var box = new Sandbox(init: false);
        string data = box.Dir.Sub("data");
        File.WriteAllText(Path.Combine(data, "thesis.tex"), "years of work");
        var r = box.Expect(2, "-r", data, "init");
        Assert.Contains($"{data} is not empty and holds no repository", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(["thesis.tex"], Directory.EnumerateFileSystemEntries(data).Select(Path.GetFileName));

        string empty = box.Dir.Sub("empty");
        box.Ok("-r", empty, "init"); // an empty directory is fine, and so is a new one
        box.Ok("init");
        r = box.Expect(2, "init");
        Assert.Contains($"a repository already exists at {box.Repo}", r.Stderr, StringComparison.Ordinal);
    }
}
