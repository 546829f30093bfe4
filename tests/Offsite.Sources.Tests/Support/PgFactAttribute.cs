namespace Offsite.Sources.Tests.Support;

/// <summary>
/// A test that needs the PostgreSQL 15 test peer. Skipped (with the reason) only when
/// OFFSITE_TEST_PG is not set at all; when it is set, an unreachable server fails the test.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PgFactAttribute : FactAttribute
{
    public PgFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(PgServer.Variable)))
        {
            Skip = $"{PgServer.Variable} is not set: run `bash scripts/test.sh`, or `bash scripts/peers.sh start pg && eval \"$(bash scripts/peers.sh env)\"`";
        }
    }
}

/// <summary>PostgreSQL tests share one server and create and drop databases: run them one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PgCollection
{
    public const string Name = "postgres";
}
