namespace MaterialsDb.Data.Tables;

/// <summary>An in-memory table stored column by column; every column has the same length.</summary>
public sealed class ColumnTable
{
    private readonly List<Column> _columns = [];

    /// <summary>Creates a table from columns of equal length.</summary>
    public ColumnTable(IEnumerable<Column> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        foreach (var c in columns)
        {
            Add(c);
        }
    }

    /// <summary>Columns in order.</summary>
    public IReadOnlyList<Column> Columns => _columns;

    /// <summary>Number of rows (0 for a table without columns).</summary>
    public int RowCount => _columns.Count == 0 ? 0 : _columns[0].Length;

    /// <summary>Appends a column.</summary>
    /// <exception cref="ArgumentException">Its length differs from the table's, or its name is taken.</exception>
    public void Add(Column column)
    {
        ArgumentNullException.ThrowIfNull(column);
        if (_columns.Count > 0 && column.Length != RowCount)
        {
            throw new ArgumentException($"Column '{column.Name}' has {column.Length} rows; the table has {RowCount}.", nameof(column));
        }

        if (_columns.Any(c => c.Name == column.Name))
        {
            throw new ArgumentException($"The table already has a column named '{column.Name}'.", nameof(column));
        }

        _columns.Add(column);
    }

    /// <summary>True when a column has this name.</summary>
    public bool Contains(string name) => _columns.Any(c => c.Name == name);

    /// <summary>The column with this name.</summary>
    /// <exception cref="InputDataException">No such column; the message lists the columns there are.</exception>
    public Column this[string name] =>
        _columns.FirstOrDefault(c => c.Name == name)
        ?? throw new InputDataException($"No column named '{name}'; the columns are: {string.Join(", ", _columns.Select(c => c.Name))}.");

    /// <summary>The named column as text (numbers are written back in round-trip form).</summary>
    public string?[] GetStrings(string name) => this[name] switch
    {
        StringColumn s => s.Values,
        DoubleColumn d => [.. d.Values.Select(v => double.IsNaN(v) ? null : v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))],
        BoolColumn b => [.. b.Values.Select(v => v ? "true" : "false")],
        LongColumn l => [.. l.Values.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))],
        PairsColumn p => [.. Enumerable.Range(0, p.Length).Select(p.Text)],
        _ => throw new InvalidOperationException(),
    };

    /// <summary>The named column as numbers.</summary>
    /// <exception cref="InputDataException">The column holds text that is not a number.</exception>
    public double[] GetDoubles(string name) => this[name] as DoubleColumn is { } d
        ? d.Values
        : throw new InputDataException($"Column '{name}' holds text, not numbers.");
}
