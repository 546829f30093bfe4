using Offsite.Codecs.Chunking;

namespace Offsite.Codecs.Tests.Chunking;

public sealed class ChunkerParametersTests
{
    [Fact]
    public void Default_is_512KiB_1MiB_8MiB_and_valid()
    {
        ChunkerParameters p = ChunkerParameters.Default;
        Assert.Equal((512 * 1024, 1024 * 1024, 8 * 1024 * 1024), (p.MinSize, p.AverageSize, p.MaxSize));
        p.Validate();
    }

    [Theory]
    [InlineData(512, 3000, 8192)]          // average not a power of two
    [InlineData(16, 32, 128)]              // average too small for the masks
    [InlineData(0, 1024, 4096)]            // min not positive
    [InlineData(1024, 1024, 4096)]         // min not below average
    [InlineData(512, 1024, 1024)]          // max not above average
    [InlineData(512, 1024, 512 * 1024 * 1024)] // max too large for the read buffer
    public void Invalid_parameters_are_rejected(int min, int avg, int max)
    {
        var p = new ChunkerParameters(min, avg, max);
        Assert.Throws<ArgumentException>(p.Validate);
        Assert.Throws<ArgumentException>(() => new Chunker(new GearTable(new byte[32]), p));
    }
}
