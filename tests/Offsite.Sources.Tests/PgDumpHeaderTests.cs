using System.Text;
using Offsite.Sources.Postgres;

namespace Offsite.Sources.Tests;

public sealed class PgDumpHeaderTests
{
    /// <summary>The first bytes of `pg_dump -Fc -Z0` 15.18 of database pb (archive 1.14: compression as an int).</summary>
    private static readonly byte[] Custom114 = Build(minor: 14, compression: Int(0), "pb", "15.18 (Debian 15.18-0+deb12u1)", "15.18 (Debian 15.18-0+deb12u1)");

    [Fact]
    public void Reads_both_versions_from_a_custom_archive_header()
    {
        var (server, dumper) = PgDumpHeader.Parse(Custom114);
        Assert.Equal("15.18 (Debian 15.18-0+deb12u1)", server);
        Assert.Equal("15.18 (Debian 15.18-0+deb12u1)", dumper);
        Assert.Equal(15, PgDumpHeader.Major(server));
    }

    [Fact]
    public void Reads_an_archive_1_15_header_where_compression_is_one_byte()
    {
        byte[] head = Build(minor: 15, compression: [0], "db", "16.2", "17.0");
        Assert.Equal(("16.2", "17.0"), PgDumpHeader.Parse(head));
    }

    [Fact]
    public void Reads_the_comments_of_a_plain_dump()
    {
        byte[] head = Encoding.UTF8.GetBytes("--\n-- PostgreSQL database dump\n--\n\n\\restrict abc\n\n-- Dumped from database version 16.1\n-- Dumped by pg_dump version 9.6.24\n\nSET x = 1;\n");
        var (server, dumper) = PgDumpHeader.Parse(head);
        Assert.Equal((16, 9), (PgDumpHeader.Major(server), PgDumpHeader.Major(dumper)));
    }

    [Fact]
    public void Every_truncation_of_a_header_reads_as_unknown_instead_of_failing()
    {
        for (int length = 0; length < Custom114.Length; length++)
        {
            Assert.Equal((null, null), PgDumpHeader.Parse(Custom114.AsSpan(0, length)));
        }
    }

    [Theory]
    [InlineData(new byte[] { (byte)'P', (byte)'G', (byte)'D', (byte)'M', (byte)'P', 1, 14, 0, 0, 8, 1 })]     // intSize 0
    [InlineData(new byte[] { (byte)'P', (byte)'G', (byte)'D', (byte)'M', (byte)'P', 1, 14, 0, 200, 8, 1 })]   // intSize 200
    [InlineData(new byte[] { (byte)'P', (byte)'G', (byte)'D', (byte)'M', (byte)'P', 9, 14, 0, 4, 8, 1 })]     // unknown archive major
    public void Malformed_custom_headers_read_as_unknown(byte[] head) =>
        Assert.Equal((null, null), PgDumpHeader.Parse(head));

    [Fact]
    public void A_string_longer_than_the_data_reads_as_unknown()
    {
        byte[] head = Build(minor: 14, compression: Int(0), "pb", "15.18", "15.18");
        // The last string is a sign byte, 4 length bytes (least significant first) and "15.18".
        head[^9] = 0x7f;
        Assert.Equal((null, null), PgDumpHeader.Parse(head));
    }

    [Theory]
    [InlineData("15.18 (Debian 15.18-0+deb12u1)", 15)]
    [InlineData("9.6.24", 9)]
    [InlineData("17devel", 17)]
    [InlineData("unknown", null)]
    [InlineData(null, null)]
    public void Major_is_the_leading_number(string? version, int? major) => Assert.Equal(major, PgDumpHeader.Major(version));

    private static byte[] Int(int value) => [(byte)(value < 0 ? 1 : 0), .. BitConverter.GetBytes(Math.Abs(value))];

    private static byte[] Str(string s)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s);
        return [.. Int(bytes.Length), .. bytes];
    }

    private static byte[] Build(byte minor, byte[] compression, string db, string server, string dumper)
    {
        var head = new List<byte>("PGDMP"u8.ToArray()) { 1, minor, 0, 4, 8, 1 };
        head.AddRange(compression);
        foreach (int field in new[] { 34, 27, 6, 22, 10, 126, 0 })
        {
            head.AddRange(Int(field));
        }
        head.AddRange(Str(db));
        head.AddRange(Str(server));
        head.AddRange(Str(dumper));
        return [.. head];
    }
}
