namespace MaterialsDb.Data.Tables;

/// <summary>A named column of a <see cref="ColumnTable"/>.</summary>
public abstract class Column
{
    private protected Column(string name) => Name = name;

    /// <summary>Column name as in the file header.</summary>
    public string Name { get; }

    /// <summary>Number of values.</summary>
    public abstract int Length { get; }

    /// <summary>
    /// Parts of one column (a file's row groups, a download's cuts of them) as one column named
    /// <paramref name="name"/>, in order; all parts are of the first part's type and layout.
    /// </summary>
    public static Column Concat(string name, IReadOnlyList<Column> parts) => parts switch
    {
        [] => new StringColumn(name, []),
        [var only] => only,
        [PairsColumn first, ..] => new PairsColumn(name, [.. parts.SelectMany(p => ((PairsColumn)p).Values)], first.Layout, first.KeyName, first.ValueName),
        [StringColumn, ..] => new StringColumn(name, [.. parts.SelectMany(p => ((StringColumn)p).Values)]),
        [DoubleColumn first, ..] => new DoubleColumn(name, [.. parts.SelectMany(p => ((DoubleColumn)p).Values)]) { NaNIsValue = first.NaNIsValue },
        [LongColumn, ..] => new LongColumn(name, [.. parts.SelectMany(p => ((LongColumn)p).Values)]),
        _ => new BoolColumn(name, [.. parts.SelectMany(p => ((BoolColumn)p).Values)]),
    };
}

/// <summary>A text column; a missing value is null.</summary>
public sealed class StringColumn(string name, string?[] values) : Column(name)
{
    /// <summary>The values.</summary>
    public string?[] Values { get; } = values;

    /// <inheritdoc />
    public override int Length => Values.Length;
}

/// <summary>
/// A number column (float64). NaN marks a missing value, written as null (Parquet), an empty field (CSV) or null
/// (JSON), so that readers' <c>count</c>, <c>avg</c> and <c>IS NULL</c> see it as missing; set
/// <see cref="NaNIsValue"/> where a computation really produces NaN and readers should see it.
/// </summary>
public sealed class DoubleColumn(string name, double[] values) : Column(name)
{
    /// <summary>The values.</summary>
    public double[] Values { get; } = values;

    /// <summary>True when NaN is a value of its own rather than "missing".</summary>
    public bool NaNIsValue { get; init; }

    /// <inheritdoc />
    public override int Length => Values.Length;
}

/// <summary>How a <see cref="PairsColumn"/> is stored in Parquet.</summary>
public enum PairsLayout
{
    /// <summary>A MAP from unique text keys to numbers (element → atomic fraction).</summary>
    Map,

    /// <summary>An ordered LIST of STRUCTs with a text and a number field (a decomposition: phase → fraction).</summary>
    StructList,
}

/// <summary>
/// A column whose cells are lists of (text, number) pairs, e.g. element fractions or a decomposition. Parquet gets a
/// native nested type (<see cref="Layout"/>), so readers need not parse strings; CSV gets <c>key:value</c> pairs joined
/// by <see cref="Separator"/>, numbers in round-trip form. A null cell is missing.
/// </summary>
public sealed class PairsColumn(string name, KeyValuePair<string, double>[]?[] values, PairsLayout layout, string keyName = "key", string valueName = "value") : Column(name)
{
    /// <summary>The cells.</summary>
    public KeyValuePair<string, double>[]?[] Values { get; } = values;

    /// <summary>The Parquet layout.</summary>
    public PairsLayout Layout { get; } = layout;

    /// <summary>Name of the text field (struct list) or of the map's key.</summary>
    public string KeyName { get; } = keyName;

    /// <summary>Name of the number field (struct list) or of the map's value.</summary>
    public string ValueName { get; } = valueName;

    /// <summary>Between pairs in the text form.</summary>
    public string Separator { get; init; } = " ";

    /// <inheritdoc />
    public override int Length => Values.Length;

    /// <summary>A cell as text, <c>Na:0.5 Cl:0.5</c>; null for a missing cell.</summary>
    public string? Text(int row) => Values[row] is { } pairs
        ? string.Join(Separator, pairs.Select(p => p.Key + ":" + p.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))
        : null;
}

/// <summary>A true/false column.</summary>
public sealed class BoolColumn(string name, bool[] values) : Column(name)
{
    /// <summary>The values.</summary>
    public bool[] Values { get; } = values;

    /// <inheritdoc />
    public override int Length => Values.Length;
}

/// <summary>A column of 64-bit integers (ranks, counts).</summary>
public sealed class LongColumn(string name, long[] values) : Column(name)
{
    /// <summary>The values.</summary>
    public long[] Values { get; } = values;

    /// <inheritdoc />
    public override int Length => Values.Length;
}
