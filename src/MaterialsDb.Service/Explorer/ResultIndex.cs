using System.Collections.Concurrent;
using System.Text.Json;
using MaterialsDb.Chemistry;
using MaterialsDb.Data.Tables;
using MaterialsDb.Screening.Output;

namespace MaterialsDb.Service.Explorer;

/// <summary>One column of a result as the explorer describes it.</summary>
/// <param name="Name">Column name.</param>
/// <param name="Kind">number, integer, boolean, text, map (element → fraction) or list (decomposition).</param>
/// <param name="Unit">Unit from the file's metadata, if it has one.</param>
/// <param name="Min">Smallest finite value (numeric columns with a value).</param>
/// <param name="Max">Largest finite value.</param>
/// <param name="Std">The column holding its standard deviation, if the result has one.</param>
public sealed record ResultColumn(string Name, string Kind, string? Unit, double? Min, double? Max, string? Std);

/// <summary>
/// A succeeded screening's result held in memory for the explorer, its plots and filtered downloads. The file is ranked,
/// so row order is rank order. Numeric columns are kept as doubles (rows without a value are NaN), each row's elements
/// as a bit set, and a sort order per column and direction is built on first use and kept, so that a later sort or
/// filter of a 10^6-row result is a scan, not a sort.
/// </summary>
public sealed class ResultIndex
{
    private readonly Dictionary<string, double[]> _numbers = new(StringComparer.Ordinal);
    private readonly UInt128[] _elements;
    private readonly ConcurrentDictionary<(string Column, bool Descending), Lazy<int[]>> _orders = new();

    /// <summary>Indexes a result read from its file.</summary>
    public ResultIndex(ColumnTable table, IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(metadata);
        Table = table;
        Metadata = metadata;
        RowCount = table.RowCount;
        var units = metadata.TryGetValue(ResultTable.UnitsKey, out var json) ? JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [] : [];
        var names = table.Columns.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var columns = new List<ResultColumn>();
        foreach (var column in table.Columns)
        {
            var (kind, values) = column switch
            {
                DoubleColumn d => ("number", d.Values),
                LongColumn l => ("integer", Array.ConvertAll(l.Values, v => (double)v)),
                BoolColumn b => ("boolean", Array.ConvertAll(b.Values, v => v ? 1.0 : 0.0)),
                StringColumn => ("text", null),
                PairsColumn { Layout: PairsLayout.Map } => ("map", null),
                _ => ("list", null),
            };
            double? min = null, max = null;
            if (values is not null)
            {
                _numbers[column.Name] = values;
                foreach (var v in values)
                {
                    if (double.IsFinite(v))
                    {
                        min = min is { } m ? Math.Min(m, v) : v;
                        max = max is { } x ? Math.Max(x, v) : v;
                    }
                }
            }

            var std = names.Contains(column.Name + "_std") ? column.Name + "_std" : null;
            columns.Add(new ResultColumn(column.Name, kind, units.GetValueOrDefault(column.Name), min, max, std));
        }

        Columns = columns;
        _elements = new UInt128[RowCount];
        if (table.Columns.OfType<PairsColumn>().FirstOrDefault(c => c.Name == "fractions") is { } fractions)
        {
            for (var r = 0; r < RowCount; r++)
            {
                foreach (var (symbol, _) in fractions.Values[r] ?? [])
                {
                    if (PeriodicTable.TryFromSymbol(symbol, out var element))
                    {
                        _elements[r] |= ResultFilter.Bit(element.Z);
                    }
                }
            }
        }
    }

    /// <summary>The result's columns.</summary>
    public ColumnTable Table { get; }

    /// <summary>The file's footer metadata (units, models, provenance, spec).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Rows of the result.</summary>
    public int RowCount { get; }

    /// <summary>Every column with its kind, unit and range.</summary>
    public IReadOnlyList<ResultColumn> Columns { get; }

    /// <summary>The numeric values of a column (NaN where it has none), or null if it is not numeric.</summary>
    public double[]? Numbers(string column) => _numbers.GetValueOrDefault(column);

    /// <summary>Row <paramref name="row"/>'s elements as a bit set (bit Z).</summary>
    public UInt128 ElementsOf(int row) => _elements[row];

    /// <summary>The rows a filter keeps.</summary>
    /// <exception cref="ResultQueryException">A range names a column that is not numeric.</exception>
    public ResultSelection Select(ResultFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.IsEmpty)
        {
            return new ResultSelection(null, RowCount);
        }

        var bounds = filter.Ranges.Select(r => (Values: Numbers(r.Column) ?? throw new ResultQueryException("range", $"'{r.Column}' is not a numeric column of this result"), r.Min, r.Max)).ToArray();

        // One tight pass per condition (no per-row branching on the filter's shape).
        var mask = new bool[RowCount];
        var include = filter.Include;
        var exclude = filter.Exclude;
        for (var row = 0; row < mask.Length; row++)
        {
            var e = _elements[row];
            mask[row] = ((e & include) == include) & ((e & exclude) == UInt128.Zero);
        }

        foreach (var (values, min, max) in bounds)
        {
            // Open bounds are infinite; NaN values fail both comparisons: rows without a value never pass a bound.
            var lo = double.IsNaN(min) ? double.NegativeInfinity : min;
            var hi = double.IsNaN(max) ? double.PositiveInfinity : max;
            for (var row = 0; row < mask.Length; row++)
            {
                var v = values[row];
                mask[row] &= (v >= lo) & (v <= hi);
            }
        }

        var count = 0;
        foreach (var keep in mask)
        {
            count += keep ? 1 : 0;
        }

        return new ResultSelection(mask, count);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> selected rows from <paramref name="offset"/>, in rank order or sorted by a
    /// numeric column (rows without a value last, ties in rank order).
    /// </summary>
    /// <exception cref="ResultQueryException">The sort column is not numeric.</exception>
    public int[] Rows(ResultSelection selection, string? sort, bool descending, int offset, int limit)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var take = (int)Math.Max(0, Math.Min((long)limit, (long)selection.Count - offset));
        var rows = new int[take];
        if (take == 0)
        {
            return rows;
        }

        int[]? order = sort is null || (sort == "rank" && !descending) ? null : Order(sort, descending);
        var seen = 0;
        var n = 0;
        for (var i = 0; i < RowCount && n < take; i++)
        {
            var row = order is null ? i : order[i];
            if (selection.Contains(row) && seen++ >= offset)
            {
                rows[n++] = row;
            }
        }

        return rows;
    }

    /// <summary>The sort order of a numeric column: finite values ascending (or descending), ties by rank, NaN last.</summary>
    /// <exception cref="ResultQueryException">The column is not numeric.</exception>
    public int[] Order(string column, bool descending)
    {
        var values = Numbers(column) ?? throw new ResultQueryException("sort", $"'{column}' is not a numeric column of this result");
        return _orders.GetOrAdd((column, descending), key => new Lazy<int[]>(() => BuildOrder(values, key.Descending))).Value;
    }

    internal static int[] BuildOrder(double[] values, bool descending)
    {
        var finite = 0;
        foreach (var v in values)
        {
            finite += double.IsNaN(v) ? 0 : 1;
        }

        var keys = new double[finite];
        var order = new int[values.Length];
        int f = 0, missing = finite;
        for (var row = 0; row < values.Length; row++)
        {
            if (double.IsNaN(values[row]))
            {
                order[missing++] = row;
            }
            else
            {
                keys[f] = descending ? -values[row] : values[row];
                order[f++] = row;
            }
        }

        Array.Sort(keys, order, 0, finite);

        // Array.Sort is not stable: equal values are put back in rank order.
        for (var start = 0; start < finite;)
        {
            var end = start + 1;
            while (end < finite && keys[end] == keys[start])
            {
                end++;
            }

            if (end - start > 1)
            {
                Array.Sort(order, start, end - start);
            }

            start = end;
        }

        return order;
    }
}

/// <summary>The rows a filter keeps (all when <see cref="Mask"/> is null).</summary>
public sealed class ResultSelection(bool[]? mask, int count)
{
    /// <summary>Kept rows; null keeps every row.</summary>
    public bool[]? Mask { get; } = mask;

    /// <summary>How many rows are kept.</summary>
    public int Count { get; } = count;

    /// <summary>Whether a row is kept.</summary>
    public bool Contains(int row) => Mask is null || Mask[row];
}

/// <summary>A query parameter that does not fit the result (a column it does not have); answered as 400 naming it.</summary>
public sealed class ResultQueryException(string field, string message) : Exception(message)
{
    /// <summary>The parameter at fault.</summary>
    public string Field { get; } = field;
}
