using System.Text;

namespace Offsite.Sources.Postgres;

/// <summary>
/// Counts the rows of every table in a plain SQL dump as it streams past: the lines between
/// <c>COPY schema.table (…) FROM stdin;</c> and <c>\.</c> (COPY text format escapes newlines
/// inside values, so one line is one row). This is what the dump recorded, exactly, at no cost
/// to the database. Write-only stream.
/// </summary>
public sealed class CopyRowCounter : Stream
{
    private const int MaxStatementLine = 1 << 20;
    private readonly SortedDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly List<byte> _line = [];
    private readonly byte[] _prefix = new byte[3];
    private long _lineLength;
    private string? _table;
    private long _rows;

    /// <summary>Rows per table, keyed by the qualified name as pg_dump writes it (<c>public.t</c>, <c>public."T"</c>).</summary>
    public IReadOnlyDictionary<string, long> Counts => _counts;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(ReadOnlySpan<byte> span)
    {
        while (!span.IsEmpty)
        {
            int nl = span.IndexOf((byte)'\n');
            var piece = nl < 0 ? span : span[..nl];
            Append(piece);
            if (nl < 0)
            {
                return;
            }
            EndLine();
            span = span[(nl + 1)..];
        }
    }

    private void Append(ReadOnlySpan<byte> piece)
    {
        if (_table is not null)
        {
            if (_lineLength < 3)
            {
                int n = (int)Math.Min(3 - _lineLength, piece.Length);
                piece[..n].CopyTo(_prefix.AsSpan((int)_lineLength));
            }
            _lineLength += piece.Length;
        }
        else if (_line.Count < MaxStatementLine)
        {
            _line.AddRange(piece[..Math.Min(piece.Length, MaxStatementLine - _line.Count)]);
        }
    }

    private void EndLine()
    {
        if (_table is not null)
        {
            if (_lineLength == 2 && _prefix[0] == '\\' && _prefix[1] == '.')
            {
                _counts[_table] = _counts.GetValueOrDefault(_table) + _rows;
                _table = null;
            }
            else
            {
                _rows++;
            }
            _lineLength = 0;
            return;
        }
        string? table = ParseCopyHeader(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_line));
        _line.Clear();
        if (table is not null)
        {
            _table = table;
            _rows = 0;
        }
    }

    /// <summary>The table of a <c>COPY name [(cols)] FROM stdin;</c> line, else null.</summary>
    public static string? ParseCopyHeader(ReadOnlySpan<byte> line)
    {
        if (!line.StartsWith("COPY "u8) || !line.EndsWith(" FROM stdin;"u8))
        {
            return null;
        }
        var rest = line[5..];
        int i = 0;
        while (i < rest.Length)
        {
            if (rest[i] == '"')
            {
                i++;
                while (i < rest.Length && !(rest[i] == '"' && (i + 1 >= rest.Length || rest[i + 1] != '"')))
                {
                    i += rest[i] == '"' ? 2 : 1;
                }
                i++;
            }
            else if (rest[i] is (byte)' ' or (byte)'(')
            {
                break;
            }
            else
            {
                i++;
            }
        }
        return Encoding.UTF8.GetString(rest[..Math.Min(i, rest.Length)]);
    }
}
