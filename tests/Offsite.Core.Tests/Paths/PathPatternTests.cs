using Offsite.Core.Errors;
using Offsite.Core.Paths;

namespace Offsite.Core.Tests.Paths;

/// <summary>restic's pattern semantics: wildcards stay within a component, '**' spans any depth, unanchored patterns float.</summary>
public sealed class PathPatternTests
{
    [Theory]
    [InlineData("/etc/*.conf", "/etc/a.conf", true)]
    [InlineData("/etc/*.conf", "/etc/selinux/semanage.conf", false)] // '*' does not cross '/'
    [InlineData("/etc/*.conf", "/etc/a.conf/inside", true)] // below a match
    [InlineData("/etc/*.conf", "/srv/etc/a.conf", false)] // anchored at the root
    [InlineData("/etc/?.conf", "/etc/a.conf", true)]
    [InlineData("/etc/?.conf", "/etc/ab.conf", false)]
    [InlineData("/etc/?", "/etc/ab", false)]
    [InlineData("/e?c", "/e/c", false)] // '?' does not match '/'
    [InlineData("/etc/[ab].conf", "/etc/b.conf", true)]
    [InlineData("/etc/[ab].conf", "/etc/c.conf", false)]
    [InlineData("/etc/[^ab].conf", "/etc/c.conf", true)]
    [InlineData("/etc/[!ab].conf", "/etc/a.conf", false)]
    [InlineData("/etc/[a-c]x", "/etc/bx", true)]
    [InlineData("/etc/[a-c]x", "/etc/dx", false)]
    [InlineData("/etc/[]]x", "/etc/]x", true)]
    [InlineData("/etc/\\*", "/etc/*", true)]
    [InlineData("/etc/\\*", "/etc/a", false)]
    [InlineData("/etc/**/*.conf", "/etc/a.conf", true)] // '**' may be no component
    [InlineData("/etc/**/*.conf", "/etc/selinux/semanage.conf", true)]
    [InlineData("/etc/**/*.conf", "/etc/a/b/c/d.conf", true)]
    [InlineData("/etc/**/*.conf", "/srv/a.conf", false)]
    [InlineData("/**/x", "/a/b/x", true)]
    [InlineData("/etc/**", "/etc", true)]
    [InlineData("*.log", "/var/log/syslog.log", true)] // unanchored: any depth
    [InlineData("*.log", "/x.log", true)]
    [InlineData("*.log", "/var/log/syslog", false)]
    [InlineData("log/*.gz", "/var/log/a.gz", true)]
    [InlineData("log/*.gz", "/var/log/sub/a.gz", false)]
    [InlineData("node_modules", "/srv/app/node_modules/x/y.js", true)]
    [InlineData("/", "/anything/at/all", true)]
    [InlineData("/etc/a*b*c", "/etc/aXbYc", true)]
    [InlineData("/etc/a*b*c", "/etc/aXbY", false)]
    public void Matches_as_restic_does(string pattern, string path, bool expected) =>
        Assert.Equal(expected, PathPattern.Parse(pattern).Matches(path));

    [Theory]
    [InlineData("*.LOG", "/var/x.log", true)]
    [InlineData("/Var/[A-C]x", "/var/bX", true)]
    [InlineData("/var/[a-c]x", "/VAR/Bx", true)]
    [InlineData("*.LOG", "/var/x.txt", false)]
    public void Case_insensitive_patterns_ignore_letter_case(string pattern, string path, bool expected)
    {
        Assert.Equal(expected, PathPattern.Parse(pattern, ignoreCase: true).Matches(path));
        if (expected) Assert.False(PathPattern.Parse(pattern).Matches(path));
    }

    [Theory]
    [InlineData("/etc/*.conf", "/etc", true)]
    [InlineData("/etc/*.conf", "/", true)]
    [InlineData("/etc/*.conf", "/srv", false)]
    [InlineData("/etc/*.conf", "/etc/selinux", false)] // /etc/selinux/x can never match
    [InlineData("/etc/*.conf", "/etc/x.conf", true)] // matched: everything below does
    [InlineData("/etc/**/*.conf", "/etc/a/b", true)]
    [InlineData("*.conf", "/srv/deep", true)] // unanchored: anywhere
    public void May_match_below_prunes_only_directories_that_cannot_lead_to_a_match(string pattern, string directory, bool expected) =>
        Assert.Equal(expected, PathPattern.Parse(pattern).MayMatchBelow(directory));

    [Theory]
    [InlineData("/etc/[ab", "never closed")]
    [InlineData("*.[", "never closed")]
    [InlineData("/etc/[a-", "never closed")]
    [InlineData("/etc/x\\", "escapes nothing")]
    [InlineData("/etc/[\\", "never closed")]
    [InlineData("   ", "empty")]
    public void Malformed_patterns_are_usage_errors_naming_the_problem(string pattern, string problem)
    {
        var e = Assert.Throws<OffsiteException>(() => PathPattern.Parse(pattern));
        Assert.Equal(ErrorKind.Usage, e.Kind);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Many_wildcards_against_a_long_name_finish()
    {
        var pattern = PathPattern.Parse("/**/**/**/a*a*a*a*a*a*b");
        Assert.False(pattern.Matches("/x/y/z/" + new string('a', 200)));
    }

    [Theory]
    [InlineData("*.conf", "/etc/a.conf", true)]
    [InlineData("*.conf", "/etc/a.conf/inner", false)] // below a match: Matches, not MatchesExactly
    [InlineData("etc/*.conf", "/x/etc/a.conf", true)]
    [InlineData("/etc", "/etc/a.conf", false)]
    [InlineData("/etc/**", "/etc/a/b.conf", true)]
    [InlineData("/etc/*.conf", "/etc/selinux/semanage.conf", false)]
    public void Exactly_means_the_path_itself_not_something_below_a_match(string pattern, string path, bool expected)
    {
        Assert.Equal(expected, PathPattern.Parse(pattern).MatchesExactly(path));
    }
}
