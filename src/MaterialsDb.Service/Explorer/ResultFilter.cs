using System.Globalization;
using MaterialsDb.Chemistry;
using MaterialsDb.Service.Api;

namespace MaterialsDb.Service.Explorer;

/// <summary>A bound on one numeric column; NaN bounds are open. Rows without a value never pass a bound.</summary>
public sealed record ColumnRange(string Column, double Min, double Max);

/// <summary>
/// Which rows of a result the explorer, its plots and its downloads see: numeric ranges, elements that must all be
/// present (<c>include</c>) and elements that must all be absent (<c>exclude</c>). Read from query parameters
/// <c>range=column:min:max</c> (repeatable, either bound may be empty), <c>include=Li,O</c>, <c>exclude=Pb</c>.
/// </summary>
public sealed record ResultFilter(IReadOnlyList<ColumnRange> Ranges, UInt128 Include, UInt128 Exclude)
{
    /// <summary>At most this many range parameters: a URL cannot hold a useful filter with more.</summary>
    public const int MaxRanges = 64;

    /// <summary>No condition: every row.</summary>
    public static ResultFilter All { get; } = new([], UInt128.Zero, UInt128.Zero);

    /// <summary>True when no condition is set.</summary>
    public bool IsEmpty => Ranges.Count == 0 && Include == UInt128.Zero && Exclude == UInt128.Zero;

    /// <summary>Reads the parameters; a malformed one is a <see cref="FieldProblem"/> naming it.</summary>
    public static (ResultFilter? Filter, FieldProblem? Problem) Parse(IReadOnlyList<string?> ranges, string? include, string? exclude)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        if (ranges.Count > MaxRanges)
        {
            return (null, new FieldProblem("range", $"at most {MaxRanges} ranges"));
        }

        var parsed = new List<ColumnRange>(ranges.Count);
        foreach (var text in ranges)
        {
            var parts = (text ?? string.Empty).Split(':');
            if (parts.Length != 3 || parts[0].Length == 0 || !Bound(parts[1], out var min) || !Bound(parts[2], out var max))
            {
                return (null, new FieldProblem("range", $"'{Clip(text)}' is not column:min:max (numbers; either may be empty)"));
            }

            if (min > max)
            {
                return (null, new FieldProblem("range", $"'{Clip(text)}': min is above max"));
            }

            parsed.Add(new ColumnRange(parts[0], min, max));
        }

        var (inSet, inProblem) = Elements("include", include);
        if (inProblem is not null)
        {
            return (null, inProblem);
        }

        var (outSet, outProblem) = Elements("exclude", exclude);
        if (outProblem is not null)
        {
            return (null, outProblem);
        }

        if ((inSet & outSet) != UInt128.Zero)
        {
            return (null, new FieldProblem("exclude", "an element is both included and excluded"));
        }

        return (new ResultFilter(parsed, inSet, outSet), null);
    }

    /// <summary>The bit of element <paramref name="z"/> in an element set.</summary>
    public static UInt128 Bit(int z) => UInt128.One << z;

    private static bool Bound(string text, out double value)
    {
        value = double.NaN;
        return text.Length == 0 || (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value));
    }

    private static (UInt128 Set, FieldProblem? Problem) Elements(string field, string? list)
    {
        var set = UInt128.Zero;
        if (string.IsNullOrWhiteSpace(list))
        {
            return (set, null);
        }

        if (list.Length > 1000)
        {
            return (set, new FieldProblem(field, "too long"));
        }

        foreach (var symbol in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!PeriodicTable.TryFromSymbol(symbol, out var element))
            {
                return (set, new FieldProblem(field, $"'{Clip(symbol)}' is not an element symbol"));
            }

            set |= Bit(element.Z);
        }

        return (set, null);
    }

    private static string Clip(string? text) => text is null ? string.Empty : text.Length <= 40 ? text : text[..40] + "…";
}
