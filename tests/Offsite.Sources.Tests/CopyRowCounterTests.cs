using System.Text;
using Offsite.Sources.Postgres;

namespace Offsite.Sources.Tests;

public class CopyRowCounterTests
{
    private const string Dump = """
        --
        -- PostgreSQL database dump
        --
        CREATE TABLE public.t (a integer);
        COPY public.t (a) FROM stdin;
        1
        2
        \\.
        3
        \.

        COPY public."Odd Name" ("x y", b) FROM stdin;
        a\nb	c
        \.
        COPY public.empty (a) FROM stdin;
        \.
        SELECT pg_catalog.setval('public.s', 3, true);

        """;

    [Fact]
    public void Counts_copy_rows_per_table()
    {
        var counter = new CopyRowCounter();
        counter.Write(Encoding.UTF8.GetBytes(Dump));
        Assert.Equal(new Dictionary<string, long> { ["public.t"] = 4, ["public.\"Odd Name\""] = 1, ["public.empty"] = 0 }, counter.Counts);
    }

    [Fact]
    public void Counts_the_same_when_the_stream_is_cut_anywhere()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(Dump);
        for (int size = 1; size < 9; size++)
        {
            var counter = new CopyRowCounter();
            for (int i = 0; i < bytes.Length; i += size)
            {
                counter.Write(bytes.AsSpan(i, Math.Min(size, bytes.Length - i)));
            }
            Assert.Equal(4, counter.Counts["public.t"]);
            Assert.Equal(1, counter.Counts["public.\"Odd Name\""]);
            Assert.Equal(0, counter.Counts["public.empty"]);
        }
    }

    [Theory]
    [InlineData("COPY public.t (a, b) FROM stdin;", "public.t")]
    [InlineData("COPY public.t  FROM stdin;", "public.t")]
    [InlineData("COPY \"we.ird\".\"a \"\"q\"\" (b\" (c) FROM stdin;", "\"we.ird\".\"a \"\"q\"\" (b\"")]
    [InlineData("COPY public.t (a) TO stdout;", null)]
    [InlineData("SELECT 1;", null)]
    public void Copy_header_names_the_table_as_written(string line, string? table) =>
        Assert.Equal(table, CopyRowCounter.ParseCopyHeader(Encoding.UTF8.GetBytes(line)));

    [Fact]
    public void Compare_lists_missing_and_different_tables()
    {
        var problems = PgVerify.Compare(
            new Dictionary<string, long> { ["a"] = 1, ["b"] = 2, ["c"] = 3 },
            new Dictionary<string, long> { ["a"] = 1, ["b"] = 5, ["d"] = 0 });
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("b:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("c:", StringComparison.Ordinal));
    }
}
