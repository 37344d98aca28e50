namespace MaterialsDb.Database.Filters;

/// <summary>
/// Evaluates a bound filter on an entry in memory, with the same results as <see cref="SqlFilter"/> gives in
/// PostgreSQL: a comparison on an unknown (null) value is false and NOT of it true; strings compare by code unit
/// (SQL's "C" collation), numbers as doubles, times at microsecond precision.
/// </summary>
public static class MemoryFilter
{
    /// <summary>True when the entry matches.</summary>
    public static bool Matches(FilterNode filter, MaterialEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return filter switch
        {
            AndNode and => Matches(and.Left, entry) && Matches(and.Right, entry),
            OrNode or => Matches(or.Left, entry) || Matches(or.Right, entry),
            NotNode not => !Matches(not.Inner, entry),
            ConstantNode constant => constant.Value,
            KnownNode known => (Value(known.Property, entry) is not null) == known.Known,
            CompareNode compare => Compare(Value(compare.Property, entry), compare.Operator, compare.Value),
            FuzzyNode fuzzy => Value(fuzzy.Property, entry) is string s && fuzzy.Kind switch
            {
                FuzzyKind.Contains => s.Contains(fuzzy.Text, StringComparison.Ordinal),
                FuzzyKind.StartsWith => s.StartsWith(fuzzy.Text, StringComparison.Ordinal),
                _ => s.EndsWith(fuzzy.Text, StringComparison.Ordinal),
            },
            HasNode has => Has(Value(has.Property, entry), has),
            LengthNode length => Value(length.Property, entry) is Array list && length.Operator.Holds(((double)list.Length).CompareTo(length.Value.Number!.Value)),
            _ => throw new ArgumentException($"Unknown filter node {filter?.GetType().Name}.", nameof(filter)),
        };
    }

    private static object? Value(string property, MaterialEntry entry) => EntryFields.Find(property)!.Value(entry);

    private static bool Compare(object? value, FilterOperator op, FilterValue constant) => value switch
    {
        string s => op.Holds(Math.Sign(string.CompareOrdinal(s, constant.Text))),
        double d => op.Holds(d.CompareTo(constant.Number!.Value)),
        long n => op.Holds(((double)n).CompareTo(constant.Number!.Value)),
        DateTimeOffset t => EntryFields.TryParseTimestamp(constant.Text!, out var c) && op.Holds(EntryFields.Microseconds(t).CompareTo(c)),
        _ => false,
    };

    private static bool Has(object? value, HasNode has)
    {
        Func<FilterValue, bool> contains = value switch
        {
            string[] strings => v => Array.IndexOf(strings, v.Text) >= 0,
            double[] numbers => v => Array.IndexOf(numbers, v.Number!.Value) >= 0,
            _ => _ => false,
        };
        return value switch
        {
            string[] or double[] => has.Kind switch
            {
                SetKind.One or SetKind.All => has.Values.All(contains),
                SetKind.Any => has.Values.Any(contains),
                _ => value is string[] s
                    ? s.All(item => has.Values.Any(v => v.Text == item))
                    : ((double[])value).All(item => has.Values.Any(v => v.Number == item)),
            },
            _ => false,
        };
    }
}
