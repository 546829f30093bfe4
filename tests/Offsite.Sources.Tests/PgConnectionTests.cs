using Offsite.Core.Errors;
using Offsite.Sources.Postgres;

namespace Offsite.Sources.Tests;

public class PgConnectionTests
{
    [Fact]
    public void Url_parts_become_libpq_environment_and_the_password_stays_out_of_display()
    {
        var c = PgConnection.Parse("postgres://app%40corp:s%3Acr%2Fet@db.example:6543/my%20db?sslmode=require&application_name=x");
        Assert.Equal("app@corp", c.Environment["PGUSER"]);
        Assert.Equal("s:cr/et", c.Environment["PGPASSWORD"]);
        Assert.Equal("db.example", c.Environment["PGHOST"]);
        Assert.Equal("6543", c.Environment["PGPORT"]);
        Assert.Equal("my db", c.Environment["PGDATABASE"]);
        Assert.Equal("require", c.Environment["PGSSLMODE"]);
        Assert.Equal("x", c.Environment["PGAPPNAME"]);
        Assert.Equal("pg:db.example:6543/my db", c.SourceName);
        Assert.Equal("pg:db.example:6543/globals", c.GlobalsSourceName);
        Assert.DoesNotContain("s:cr/et", c.Display, StringComparison.Ordinal);
    }

    [Fact]
    public void Ipv6_host_and_missing_parts_are_left_to_libpq()
    {
        var c = PgConnection.Parse("postgresql://[::1]:5433/db");
        Assert.Equal("::1", c.Environment["PGHOST"]);
        Assert.Equal(5433, c.Port);
        Assert.False(c.Environment.ContainsKey("PGUSER"));
        Assert.False(c.Environment.ContainsKey("PGPASSWORD"));
        var other = c.WithDatabase("other");
        Assert.Equal("other", other.Database);
        Assert.Equal("db", c.Database);
    }

    [Theory]
    [InlineData("postgres://h/db?bogus=1")]
    [InlineData("postgres://h:notaport/db")]
    [InlineData("postgres://h1,h2/db")]
    [InlineData("mysql://h/db")]
    public void Bad_urls_are_usage_errors(string url)
    {
        var e = Assert.Throws<OffsiteException>(() => PgConnection.Parse(url));
        Assert.Equal(ErrorKind.Usage, e.Kind);
    }

    [Fact]
    public void Dump_format_is_detected_from_the_first_bytes()
    {
        Assert.Equal(PgDumpFormat.Custom, PgDumpFormats.Detect("PGDMP\x01\x0e"u8));
        Assert.Equal(PgDumpFormat.Plain, PgDumpFormats.Detect("--\n-- PostgreSQL database dump"u8));
        Assert.Equal("a_b.dump", PgDumpFormat.Custom.FileName("a/b"));
        Assert.Equal("db.sql", PgDumpFormat.Plain.FileName("db"));
    }

    [Fact]
    public void Client_version_is_parsed()
    {
        Assert.Equal(15, PgTools.ParseMajor("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"));
        Assert.Equal(9, PgTools.ParseMajor("pg_dump (PostgreSQL) 9.6.24"));
        Assert.Null(PgTools.ParseMajor("something else"));
    }
}
