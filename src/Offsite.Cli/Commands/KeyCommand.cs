using System.CommandLine;
using System.Text.Json.Nodes;
using Offsite.Core.Errors;
using Offsite.Core.Keys;
using Offsite.Core.Repository;

namespace Offsite.Cli.Commands;

public static class KeyCommand
{
    public static Command Create()
    {
        var command = new Command("key", "manage passphrases and export keys");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Remove());
        command.Subcommands.Add(Export());
        return command;
    }

    private static Command Add()
    {
        var newPasswordFile = new Option<string?>("--new-password-file") { Description = "read the new passphrase from a file (env OFFSITE_NEW_PASSWORD)" };
        var command = new Command("add", "add a passphrase that opens the repository") { newPasswordFile };
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
            string? file = r.GetValue(newPasswordFile);
            string passphrase = file is not null
                ? Offsite.App.Secrets.SecretReader.ReadFile(file, "new password file").Split('\n')[0].TrimEnd('\r')
                : Environment.GetEnvironmentVariable("OFFSITE_NEW_PASSWORD")
                  ?? throw new OffsiteException(ErrorKind.Usage, "give the new passphrase with --new-password-file or OFFSITE_NEW_PASSWORD");
            string id = await new KeyStore(repo.Storage, repo.Runtime).AddAsync(RequireFull(repo), passphrase, ct).ConfigureAwait(false);
            CommandRunner.Info(s, $"added key {id[..8]}");
            if (s.Json) Output.Json(new JsonObject { ["id"] = id });
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "list the passphrase-wrapped keys");
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
            var keys = await new KeyStore(repo.Storage, repo.Runtime).ListAsync(ct).ConfigureAwait(false);
            var json = new JsonArray();
            foreach (var k in keys.OrderBy(k => k.LastModified))
            {
                string id = ObjectKeys.IdOf(k.Key);
                bool current = id == repo.KeyId;
                if (s.Json) json.Add(new JsonObject { ["id"] = id, ["created"] = k.LastModified.ToString("O"), ["current"] = current });
                else Console.WriteLine($"{(current ? "*" : " ")} {id[..8]}  {Output.Time(k.LastModified)}");
            }
            if (s.Json) Output.Json(json);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Remove()
    {
        var id = new Argument<string>("id") { Description = "key id (or unique prefix)" };
        var command = new Command("remove", "remove a passphrase (not the one in use)") { id };
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
            await new KeyStore(repo.Storage, repo.Runtime).RemoveAsync(r.GetValue(id)!, repo.KeyId ?? "", ct).ConfigureAwait(false);
            CommandRunner.Info(s, $"removed key {r.GetValue(id)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Export()
    {
        var writeOnly = new Option<bool>("--write-only") { Description = "what a backup host needs to add backups, and nothing that decrypts" };
        var identity = new Option<bool>("--identity") { Description = "the full identity, for offline escrow or a KMS (decrypts everything)" };
        var output = new Option<string?>("--output", "-o") { Description = "write to this file (created 0600) instead of standard output" };
        var command = new Command("export", "export a key file") { writeOnly, identity, output };
        CommandRunner.SetAction(command, async (r, s, ct) =>
        {
            if (r.GetValue(writeOnly) == r.GetValue(identity))
            {
                throw new OffsiteException(ErrorKind.Usage, "choose one of --write-only or --identity");
            }
            var repo = await CommandRunner.OpenAsync(s, ct).ConfigureAwait(false);
            string text = r.GetValue(writeOnly) ? KeyFile.FormatWriteOnly(repo.Key) : KeyFile.FormatFull(RequireFull(repo));
            if (r.GetValue(output) is { } path)
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite };
                try
                {
                    await using var fs = new FileStream(path, options);
                    await fs.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), ct).ConfigureAwait(false);
                }
                catch (IOException e) when (File.Exists(path))
                {
                    throw new OffsiteException(ErrorKind.Usage, $"{path} exists; refusing to overwrite a key file", e);
                }
                CommandRunner.Info(s, $"wrote {path}");
            }
            else
            {
                Console.Write(text);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static RepositoryKey RequireFull(Repository repo)
    {
        _ = repo.Key.Identity; // throws the write-only explanation
        return repo.Key;
    }
}
