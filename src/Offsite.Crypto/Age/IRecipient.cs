namespace Offsite.Crypto.Age;

/// <summary>Something a file key can be wrapped to; produces the header stanza(s) for it.</summary>
public interface IRecipient
{
    IReadOnlyList<Stanza> Wrap(ReadOnlySpan<byte> fileKey);
}
