using Offsite.Core.Errors;

namespace Offsite.Core.Repository;

/// <summary>
/// <c>offsite migrate</c>: brings a repository made by an older offsite up to the current format. Today
/// that is one step, adding the config's MAC (<see cref="ConfigAuthentication"/>). Only the owner's key
/// may do it: it vouches for the config as it is now, so the owner should look at what it binds.
/// </summary>
public static class ConfigMigration
{
    /// <summary>Adds the MAC and rewrites <c>config</c>; false when it already had one (nothing written).</summary>
    public static async Task<bool> AuthenticateConfigAsync(Repository repository, CancellationToken cancellationToken)
    {
        if (!repository.Key.CanRead)
        {
            throw new OffsiteException(ErrorKind.KeyCannotRead,
                "this is a write-only key: migrate vouches for the repository's config and needs the owner's key (the passphrase or `key export --identity`)");
        }
        if (repository.Config.Mac is not null)
        {
            return false; // verified when the repository opened
        }
        ConfigAuthentication.Seal(repository.Config, repository.Key);
        await repository.Storage.PutAsync(ObjectKeys.Config, repository.Config.Serialize(), cancellationToken).ConfigureAwait(false);
        return true;
    }
}
