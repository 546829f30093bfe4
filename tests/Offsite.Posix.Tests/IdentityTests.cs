namespace Offsite.Posix.Tests;

public class IdentityTests
{
    [Fact]
    public void Root_ResolvesBothWays()
    {
        Assert.Equal("root", PosixFs.UserName(0));
        Assert.Equal("root", PosixFs.GroupName(0));
        Assert.Equal(0u, PosixFs.LookupUid("root"));
        Assert.Equal(0u, PosixFs.LookupGid("root"));
    }

    [Fact]
    public void RepeatedLookups_AreStable()
    {
        Assert.Equal(PosixFs.UserName(0), PosixFs.UserName(0));
        Assert.Same(PosixFs.UserName(0), PosixFs.UserName(0)); // served from the cache
    }

    [Fact]
    public void Unknown_ReturnsNull()
    {
        Assert.Null(PosixFs.UserName(3_999_999_999));
        Assert.Null(PosixFs.GroupName(3_999_999_999));
        Assert.Null(PosixFs.LookupUid("no-such-user-offsite-test"));
        Assert.Null(PosixFs.LookupGid("no-such-group-offsite-test"));
    }

    [Fact]
    public void IsRoot_MatchesEnvironment()
    {
        Assert.Equal(Environment.UserName == "root", PosixFs.IsRoot);
    }
}
