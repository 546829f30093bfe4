using System.Text;
using Microsoft.Extensions.Logging;
using Offsite.Core.Errors;
using Offsite.Core.Repository;
using Offsite.Core.Storage;
using Offsite.Crypto.Age;

namespace Offsite.Core.Keys;

/// <summary>
/// The <c>keys/</c> objects: the repository identity, each copy wrapped by one passphrase (an age
/// file with an scrypt recipient). Several passphrases may open the same repository.
/// </summary>
public sealed class KeyStore
{
    /// <summary>
    /// scrypt work factor for new keys: 2^17 (128 MiB, about half a second per attempt). age's own
    /// default is 2^18, but that needs 256 MiB, more than the whole memory budget of a backup
    /// (docs/design.md, "Memory"), and every command that opens with a passphrase pays it once.
    /// An attacker holding the bucket still pays 128 MiB-seconds per guess; prefer key files
    /// (<c>key export</c>) on hosts that run unattended.
    /// </summary>
    public const int DefaultScryptLogN = 17;
    private readonly IStorage _storage;
    private readonly RuntimeContext _runtime;

    public KeyStore(IStorage storage, RuntimeContext runtime)
    {
        _storage = storage;
        _runtime = runtime;
    }

    public async Task<string> AddAsync(RepositoryKey key, string passphrase, CancellationToken cancellationToken)
    {
        RequirePassphrase(passphrase);
        string note = $"created {_runtime.Clock.GetUtcNow():yyyy-MM-dd HH:mm:ss}Z by {_runtime.UserName}@{_runtime.HostName}";
        byte[] plaintext = Encoding.UTF8.GetBytes(KeyFile.FormatFull(key, note));
        byte[] stored = AgeFile.Encrypt(plaintext, [new ScryptRecipient(passphrase, _runtime.ScryptLogN)]);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(plaintext);
        string id = ObjectKeys.IdFor(stored);
        await _storage.PutAsync(ObjectKeys.Key(id), stored, cancellationToken).ConfigureAwait(false);
        return id;
    }

    public async Task<List<ObjectInfo>> ListAsync(CancellationToken cancellationToken)
    {
        var keys = new List<ObjectInfo>();
        await foreach (var info in _storage.ListAsync(ObjectKeys.KeysPrefix, cancellationToken).ConfigureAwait(false))
        {
            keys.Add(info);
        }
        return keys;
    }

    /// <summary>Finds the key object this passphrase unwraps (trying <paramref name="preferredId"/> first).</summary>
    public async Task<(RepositoryKey Key, string KeyId)> OpenAsync(string passphrase, string repositoryId, string? preferredId, CancellationToken cancellationToken)
    {
        RequirePassphrase(passphrase);
        var keys = await ListAsync(cancellationToken).ConfigureAwait(false);
        if (keys.Count == 0)
        {
            throw new OffsiteException(ErrorKind.RepositoryDamaged, "the repository has no keys/ objects: nobody can open it with a passphrase (use a key file from `offsite key export --identity`)");
        }
        // The cached preference first, then in name order: the same order on every host and backend.
        var ordered = keys.OrderBy(k => ObjectKeys.IdOf(k.Key) == preferredId ? 0 : 1).ThenBy(k => k.Key, StringComparer.Ordinal).ToList();
        var identity = new ScryptIdentity(passphrase);
        var damaged = new List<string>();
        foreach (var info in ordered)
        {
            byte[] stored = await _storage.GetAsync(info.Key, cancellationToken).ConfigureAwait(false);
            if (ObjectKeys.IdFor(stored) != ObjectKeys.IdOf(info.Key))
            {
                // A damaged key object must not stop another passphrase from opening the repository.
                damaged.Add(info.Key);
                _runtime.Logger.LogWarning("{Key}: content does not match its name (object is damaged or truncated); skipped, trying the other keys (`offsite check` reports it)", info.Key);
                continue;
            }
            byte[] plaintext;
            try
            {
                plaintext = AgeFile.Decrypt(stored, [identity]);
            }
            catch (AgeException e) when (e.Kind is AgeErrorKind.NoMatch or AgeErrorKind.HeaderFailure or AgeErrorKind.HmacFailure)
            {
                // Wrong passphrase for this key object: age reports it as a failed unwrap. Try the next one.
                continue;
            }
            string text = Encoding.UTF8.GetString(plaintext);
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(plaintext);
            return (KeyFile.Parse(text, repositoryId, info.Key), ObjectKeys.IdOf(info.Key));
        }
        if (damaged.Count > 0)
        {
            throw new OffsiteException(ErrorKind.RepositoryDamaged,
                $"the passphrase opens none of the {keys.Count - damaged.Count} intact key(s), and {string.Join(", ", damaged)} is damaged: if the passphrase belonged to it, open the repository with another passphrase or an exported key file");
        }
        throw new OffsiteException(ErrorKind.WrongKey, $"wrong passphrase: it opens none of the {keys.Count} key(s) of this repository");
    }

    public async Task RemoveAsync(string keyId, string currentKeyId, CancellationToken cancellationToken)
    {
        var keys = await ListAsync(cancellationToken).ConfigureAwait(false);
        var match = keys.Where(k => ObjectKeys.IdOf(k.Key).StartsWith(keyId, StringComparison.Ordinal)).ToList();
        if (match.Count == 0)
        {
            throw new OffsiteException(ErrorKind.NotFound, $"no key with id {keyId}");
        }
        if (match.Count > 1)
        {
            throw new OffsiteException(ErrorKind.Usage, $"key id {keyId} is ambiguous: give more digits");
        }
        string id = ObjectKeys.IdOf(match[0].Key);
        if (id == currentKeyId)
        {
            throw new OffsiteException(ErrorKind.Usage, "refusing to remove the key you are using; open the repository with another passphrase to remove this one");
        }
        await _storage.DeleteAsync(match[0].Key, cancellationToken).ConfigureAwait(false);
    }

    private static void RequirePassphrase(string passphrase)
    {
        if (string.IsNullOrEmpty(passphrase))
        {
            throw new OffsiteException(ErrorKind.Usage, "an empty passphrase is not allowed");
        }
    }
}
