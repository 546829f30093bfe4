using System.Numerics;

namespace Offsite.Codecs.Chunking;

/// <summary>
/// Chunk size bounds for <see cref="Chunker"/>. Part of the repository format: changing any value moves
/// every boundary and so defeats deduplication against data chunked with the old values.
/// </summary>
/// <remarks>
/// Validation happens in <see cref="Validate"/> (called by <see cref="Chunker"/>) rather than in the
/// constructor, because the constraints span several properties and <c>with</c> expressions set them one by one.
/// </remarks>
public sealed record ChunkerParameters(int MinSize, int AverageSize, int MaxSize)
{
    /// <summary>Smallest accepted <see cref="AverageSize"/>; the large-chunk mask needs at least a few bits.</summary>
    public const int MinAverageSize = 64;

    /// <summary>Upper bound for <see cref="MaxSize"/> so that a read buffer of twice the size is a valid array.</summary>
    public const int MaxMaxSize = 256 * 1024 * 1024;

    /// <summary>512 KiB / 1 MiB / 8 MiB: large chunks keep the index small for big files (like restic).</summary>
    public static ChunkerParameters Default { get; } = new(512 * 1024, 1024 * 1024, 8 * 1024 * 1024);

    /// <summary>log2(<see cref="AverageSize"/>); only meaningful after <see cref="Validate"/>.</summary>
    internal int AverageBits => BitOperations.Log2((uint)AverageSize);

    /// <exception cref="ArgumentException">The sizes are not 0 &lt; Min &lt; Average &lt; Max ≤ 256 MiB,
    /// or Average is not a power of two ≥ 64.</exception>
    public void Validate()
    {
        if (AverageSize < MinAverageSize || !BitOperations.IsPow2(AverageSize))
        {
            throw new ArgumentException(
                $"AverageSize must be a power of two ≥ {MinAverageSize}, got {AverageSize}.", nameof(AverageSize));
        }

        if (MinSize <= 0 || MinSize >= AverageSize)
        {
            throw new ArgumentException(
                $"MinSize must be in (0, AverageSize={AverageSize}), got {MinSize}.", nameof(MinSize));
        }

        if (MaxSize <= AverageSize || MaxSize > MaxMaxSize)
        {
            throw new ArgumentException(
                $"MaxSize must be in (AverageSize={AverageSize}, {MaxMaxSize}], got {MaxSize}.", nameof(MaxSize));
        }
    }
}
