using Offsite.Core.Errors;

namespace Offsite.Cli;

/// <summary>Process exit codes, one per thing a script may want to react to (docs/cli.md).</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Internal = 1;
    public const int Usage = 2;
    public const int WrongKey = 3;
    public const int RepositoryDamaged = 4;
    public const int PartialRestore = 5;
    public const int Io = 6;
    public const int KeyCannotRead = 7;
    public const int RepositoryNotFound = 8;
    public const int SourceFailed = 9;
    public const int NotFound = 10;
    public const int Locked = 11;
    public const int Archived = 12;
    public const int Interrupted = 130;

    public static int For(ErrorKind kind) => kind switch
    {
        ErrorKind.Usage => Usage,
        ErrorKind.WrongKey => WrongKey,
        ErrorKind.RepositoryDamaged => RepositoryDamaged,
        ErrorKind.PartialRestore => PartialRestore,
        ErrorKind.Io => Io,
        ErrorKind.KeyCannotRead => KeyCannotRead,
        ErrorKind.RepositoryNotFound => RepositoryNotFound,
        ErrorKind.SourceFailed => SourceFailed,
        ErrorKind.NotFound => NotFound,
        ErrorKind.Locked => Locked,
        ErrorKind.Archived => Archived,
        _ => Internal,
    };
}
