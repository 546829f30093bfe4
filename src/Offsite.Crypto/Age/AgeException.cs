namespace Offsite.Crypto.Age;

/// <summary>Why decrypting an age file failed.</summary>
public enum AgeErrorKind
{
    /// <summary>None of the identities could unwrap the file key.</summary>
    NoMatch,
    /// <summary>The header is malformed (syntax, encoding, stanza contents, missing nonce).</summary>
    HeaderFailure,
    /// <summary>The header MAC does not verify: the header was modified.</summary>
    HmacFailure,
    /// <summary>The payload is corrupt, truncated, has trailing data, or lacks a final chunk.</summary>
    PayloadFailure,
    /// <summary>
    /// Only from <see cref="AgeFile.ReadHeader"/>: the prefix ends before the header and nonce do;
    /// fetch more bytes and retry (if the prefix already was the whole file, the file is corrupt).
    /// </summary>
    Truncated,
    /// <summary>A recognised but unsupported encoding, e.g. ASCII-armored input.</summary>
    Unsupported,
}

/// <summary>Decryption failure of an age file. Never accompanied by unauthenticated plaintext.</summary>
public sealed class AgeException : Exception
{
    public AgeException() : this(AgeErrorKind.HeaderFailure, "age decryption failed.") { }

    public AgeException(string message) : this(AgeErrorKind.HeaderFailure, message) { }

    public AgeException(string message, Exception innerException) : this(AgeErrorKind.HeaderFailure, message, innerException) { }

    public AgeException(AgeErrorKind kind, string message) : base(message) => Kind = kind;

    public AgeException(AgeErrorKind kind, string message, Exception? innerException) : base(message, innerException) => Kind = kind;

    public AgeErrorKind Kind { get; }

    internal static AgeException Header(string message) => new(AgeErrorKind.HeaderFailure, message);

    internal static AgeException Payload(string message) => new(AgeErrorKind.PayloadFailure, message);
}
