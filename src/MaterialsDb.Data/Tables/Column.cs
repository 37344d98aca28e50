namespace MaterialsDb.Data.Tables;

/// <summary>A named column of a <see cref="ColumnTable"/>.</summary>
public abstract class Column
{
    private protected Column(string name) => Name = name;

    /// <summary>Column name as in the file header.</summary>
    public string Name { get; }

    /// <summary>Number of values.</summary>
    public abstract int Length { get; }
}

/// <summary>A text column; a missing value is null.</summary>
public sealed class StringColumn(string name, string?[] values) : Column(name)
{
    /// <summary>The values.</summary>
    public string?[] Values { get; } = values;

    /// <inheritdoc />
    public override int Length => Values.Length;
}

/// <summary>A number column (float64); a missing value is NaN.</summary>
public sealed class DoubleColumn(string name, double[] values) : Column(name)
{
    /// <summary>The values.</summary>
    public double[] Values { get; } = values;

    /// <inheritdoc />
    public override int Length => Values.Length;
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
