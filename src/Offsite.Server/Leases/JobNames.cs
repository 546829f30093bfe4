namespace Offsite.Server.Leases;

/// <summary>Job names become object keys and URL segments: keep them to a safe alphabet.</summary>
public static class JobNames
{
    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= 100 && name is not "." and not ".." &&
        name.AsSpan().IndexOfAnyExcept(Allowed) < 0;

    public static void Validate(string name)
    {
        if (!IsValid(name))
        {
            throw new ArgumentException($"invalid job name '{name}': use letters, digits, '.', '_' and '-' (at most 100)", nameof(name));
        }
    }

    private static readonly System.Buffers.SearchValues<char> Allowed =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
}
