using System.Text;
using Offsite.Crypto.Age;

namespace Offsite.Crypto.Tests;

/// <summary>Interoperability with the reference age CLI (Debian age 1.1.1) in both directions.</summary>
public sealed class CliInteropTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(65536)]
    [InlineData(200_001)]
    public void Offsite_encrypted_file_decrypts_with_age_cli(int size)
    {
        using var dir = new TempDir();
        var identity = X25519Identity.Generate();
        File.WriteAllText(dir.File("key.txt"), identity.ToString() + "\n");
        byte[] plain = RandomBytes(size);
        File.WriteAllBytes(dir.File("msg.age"), AgeFile.Encrypt(plain, [identity.Recipient, X25519Identity.Generate().Recipient]));

        (int code, byte[] output, string err) = AgeCli.Run(AgeCli.Age, ["-d", "-i", dir.File("key.txt"), dir.File("msg.age")]);
        Assert.True(code == 0, err);
        Assert.Equal(plain, output);
    }

    [Fact]
    public void Offsite_stream_encrypted_file_decrypts_with_age_cli()
    {
        using var dir = new TempDir();
        var identity = X25519Identity.Generate();
        File.WriteAllText(dir.File("key.txt"), identity.ToString() + "\n");
        byte[] plain = RandomBytes((3 * 65536) + 17);
        using (FileStream f = File.Create(dir.File("msg.age")))
        using (Stream w = AgeFile.OpenWrite(f, [identity.Recipient]))
        {
            w.Write(plain);
        }

        (int code, byte[] output, string err) = AgeCli.Run(AgeCli.Age, ["-d", "-i", dir.File("key.txt"), dir.File("msg.age")]);
        Assert.True(code == 0, err);
        Assert.Equal(plain, output);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    [InlineData(300_000)]
    public void Age_cli_encrypted_file_decrypts_with_offsite(int size)
    {
        var identity = X25519Identity.Generate();
        var other = X25519Identity.Generate();
        byte[] plain = RandomBytes(size);
        (int code, byte[] file, string err) = AgeCli.Run(AgeCli.Age,
            ["-r", other.Recipient.ToString(), "-r", identity.Recipient.ToString()], plain);
        Assert.True(code == 0, err);

        Assert.Equal(plain, AgeFile.Decrypt(file, [identity]));
        using Stream s = AgeFile.OpenRead(new MemoryStream(file), [identity]);
        var copy = new MemoryStream();
        s.CopyTo(copy);
        Assert.Equal(plain, copy.ToArray());
    }

    [Fact]
    public void Age_keygen_identity_parses_and_recipient_matches_keygen_y()
    {
        using var dir = new TempDir();
        (int code, _, string err) = AgeCli.Run(AgeCli.AgeKeygen, ["-o", dir.File("key.txt")]);
        Assert.True(code == 0, err);
        string secret = File.ReadAllLines(dir.File("key.txt")).Single(l => l.StartsWith("AGE-SECRET-KEY-1", StringComparison.Ordinal));

        (code, byte[] stdout, err) = AgeCli.Run(AgeCli.AgeKeygen, ["-y", dir.File("key.txt")]);
        Assert.True(code == 0, err);
        string expectedRecipient = Encoding.ASCII.GetString(stdout).Trim();

        var identity = X25519Identity.Parse(secret);
        Assert.Equal(expectedRecipient, identity.Recipient.ToString());
        Assert.Equal(secret, identity.ToString());
        Assert.Equal(expectedRecipient, X25519Recipient.Parse(expectedRecipient).ToString());
    }

    [Fact]
    public void Offsite_generated_identity_matches_age_keygen_y()
    {
        using var dir = new TempDir();
        var identity = X25519Identity.Generate();
        File.WriteAllText(dir.File("key.txt"), identity.ToString() + "\n");
        (int code, byte[] stdout, string err) = AgeCli.Run(AgeCli.AgeKeygen, ["-y", dir.File("key.txt")]);
        Assert.True(code == 0, err);
        Assert.Equal(identity.Recipient.ToString(), Encoding.ASCII.GetString(stdout).Trim());
    }

    [Fact]
    public void Passphrase_file_from_age_cli_decrypts_with_offsite()
    {
        using var dir = new TempDir();
        byte[] plain = RandomBytes(70_000);
        File.WriteAllBytes(dir.File("msg.txt"), plain);
        const string Passphrase = "correct horse battery staple";
        AgeCli.RunWithTty(
            $"{AgeCli.Age} -p -o {AgeCli.Quote(dir.File("msg.age"))} {AgeCli.Quote(dir.File("msg.txt"))}",
            $"{Passphrase}\n{Passphrase}\n");

        byte[] file = File.ReadAllBytes(dir.File("msg.age"));
        Assert.Contains("-> scrypt ", Encoding.ASCII.GetString(file, 0, 100), StringComparison.Ordinal);
        Assert.Equal(plain, AgeFile.Decrypt(file, [new ScryptIdentity(Passphrase)]));
        Assert.Equal(AgeErrorKind.NoMatch, Assert.Throws<AgeException>(() => AgeFile.Decrypt(file, [new ScryptIdentity("wrong")])).Kind);
    }

    [Fact]
    public void Passphrase_file_from_offsite_decrypts_with_age_cli()
    {
        using var dir = new TempDir();
        byte[] plain = RandomBytes(70_000);
        const string Passphrase = "correct horse battery staple";
        File.WriteAllBytes(dir.File("msg.age"), AgeFile.Encrypt(plain, [new ScryptRecipient(Passphrase, logN: 15)]));

        AgeCli.RunWithTty(
            $"{AgeCli.Age} -d -o {AgeCli.Quote(dir.File("out.txt"))} {AgeCli.Quote(dir.File("msg.age"))}",
            $"{Passphrase}\n");
        Assert.Equal(plain, File.ReadAllBytes(dir.File("out.txt")));
    }

    private static byte[] RandomBytes(int n)
    {
        var b = new byte[n];
        Random.Shared.NextBytes(b);
        return b;
    }
}
