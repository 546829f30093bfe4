namespace Offsite.Storage.Tests;

/// <summary>
/// Runs the real `offsite` binary (built next to the tests) against an S3 repository, with a private
/// cache, a low scrypt cost and S3 credentials in the environment the way an operator would set them.
/// </summary>
internal sealed class S3Cli : IDisposable
{
    public const string Password = "correct horse battery staple";

    public S3Cli(string repository, string? accessKey = null, string? secretKey = null)
    {
        Repository = repository;
        Root = Path.Combine("/tmp", $"offsite-s3cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Root);
        Env = new Dictionary<string, string?>
        {
            ["OFFSITE_REPOSITORY"] = repository,
            ["OFFSITE_PASSWORD"] = Password,
            ["OFFSITE_SCRYPT_LOG_N"] = "12",
            ["OFFSITE_CACHE_DIR"] = Path.Combine(Root, "cache"),
            ["OFFSITE_PASSWORD_FILE"] = null,
            ["OFFSITE_PASSWORD_COMMAND"] = null,
            ["OFFSITE_KEY_FILE"] = null,
            ["OFFSITE_KEY_COMMAND"] = null,
            ["AWS_ACCESS_KEY_ID"] = accessKey ?? S3TestEnv.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = secretKey ?? S3TestEnv.SecretKey,
            ["AWS_REGION"] = "us-east-1",
            ["AWS_CONFIG_FILE"] = "/dev/null",
            ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null",
            ["AWS_EC2_METADATA_DISABLED"] = "true",
        };
    }

    public string Repository { get; }
    public string Root { get; }
    public Dictionary<string, string?> Env { get; }

    public string this[string relative] => Path.Combine(Root, relative);

    public static string Binary => Path.Combine(AppContext.BaseDirectory, "offsite.dll");

    public ProcResult Run(params string[] args) => S3Proc.Run("/usr/bin/dotnet", [Binary, .. args], Env);

    public ProcResult Ok(params string[] args) => S3Proc.Ok(Run(args), "offsite " + string.Join(' ', args));

    /// <summary>A source tree with small, medium and chunked large files, nested directories and a symlink.</summary>
    public string MakeSource(int seed = 1)
    {
        string src = this["src"];
        var rng = new Random(seed);
        Directory.CreateDirectory(Path.Combine(src, "a", "b"));
        for (int i = 0; i < 40; i++)
        {
            File.WriteAllText(Path.Combine(src, "a", $"text{i}.txt"), string.Concat(Enumerable.Repeat($"line {i} of the test file\n", 50 + i)));
        }
        var big = new byte[6 << 20];
        rng.NextBytes(big);
        File.WriteAllBytes(Path.Combine(src, "a", "b", "random.bin"), big);
        File.WriteAllBytes(Path.Combine(src, "zeros.bin"), new byte[3 << 20]);
        File.CreateSymbolicLink(Path.Combine(src, "link"), "a/text1.txt");
        return src;
    }

    /// <summary>Asserts two trees have the same content (GNU diff -r, symlinks compared as links).</summary>
    public static void AssertSameTree(string expected, string actual) =>
        S3Proc.Ok(S3Proc.Run("/usr/bin/diff", ["-r", "--no-dereference", expected, actual]), $"diff -r {expected} {actual}");

    public void Dispose()
    {
        S3Proc.Run("/bin/rm", ["-rf", Root]);
    }
}
