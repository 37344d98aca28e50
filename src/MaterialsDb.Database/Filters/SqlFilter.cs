using Npgsql;
using NpgsqlTypes;

namespace MaterialsDb.Database.Filters;

/// <summary>
/// Translates a bound filter to a SQL condition over <c>materialsdb.entries</c>. Every constant becomes a typed
/// parameter; only field expressions from <see cref="EntryFields"/> and fixed operators are written into the text.
/// The condition is true exactly when <see cref="MemoryFilter"/> says the entry matches: comparisons on NULL are
/// NULL (a WHERE drops them, like false) and NOT turns NULL into false first.
/// </summary>
public sealed class SqlFilter
{
    private readonly List<NpgsqlParameter> _parameters;

    private SqlFilter(List<NpgsqlParameter> parameters) => _parameters = parameters;

    /// <summary>The condition; its parameters are appended to <paramref name="parameters"/> (numbered from its count + 1).</summary>
    public static string Translate(FilterNode filter, List<NpgsqlParameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return new SqlFilter(parameters).Write(filter);
    }

    private string Write(FilterNode filter) => filter switch
    {
        AndNode and => $"({Write(and.Left)} AND {Write(and.Right)})",
        OrNode or => $"({Write(or.Left)} OR {Write(or.Right)})",
        NotNode not => $"(NOT coalesce({Write(not.Inner)}, false))",
        ConstantNode constant => constant.Value ? "TRUE" : "FALSE",
        KnownNode known => $"({Field(known.Property).Sql} IS {(known.Known ? "NOT " : string.Empty)}NULL)",
        CompareNode compare => Compare(Field(compare.Property), compare),
        FuzzyNode fuzzy => Fuzzy(Field(fuzzy.Property).Sql, fuzzy),
        HasNode has => Has(Field(has.Property), has),
        LengthNode length => $"(cardinality({Field(length.Property).Sql}) {length.Operator.Sql()} {Parameter(length.Value.Number!.Value, NpgsqlDbType.Double)})",
        _ => throw new ArgumentException($"Unknown filter node {filter?.GetType().Name}.", nameof(filter)),
    };

    private static EntryField Field(string property) => EntryFields.Find(property)!;

    private string Compare(EntryField field, CompareNode compare)
    {
        var op = compare.Operator;
        var value = compare.Value;
        if (field.Name == "id" && op is FilterOperator.Equal or FilterOperator.NotEqual)
        {
            // The primary key answers id = "mdb-<n>"; any other spelling is no id at all.
            return MaterialEntry.TryParseId(value.Text, out var number) && value.Text == MaterialEntry.IdPrefix + number.ToString(System.Globalization.CultureInfo.InvariantCulture)
                ? $"(number {op.Sql()} {Parameter(number, NpgsqlDbType.Bigint)})"
                : op == FilterOperator.Equal ? "FALSE" : "TRUE";
        }

        return field.Type switch
        {
            // Equality is the same in every deterministic collation (and can use the indexes); order is by code point.
            FieldType.String => op is FilterOperator.Equal or FilterOperator.NotEqual
                ? $"({field.Sql} {op.Sql()} {Parameter(value.Text!, NpgsqlDbType.Text)})"
                : $"({field.Sql} COLLATE \"C\" {op.Sql()} {Parameter(value.Text!, NpgsqlDbType.Text)})",
            FieldType.Timestamp => $"({field.Sql} {op.Sql()} {Parameter(Time(value.Text!), NpgsqlDbType.TimestampTz)})",
            // A whole number stays an integer so the integer columns' indexes apply.
            FieldType.Integer when value.Number is { } n && Math.Floor(n) == n && Math.Abs(n) < 9e15 => $"({field.Sql} {op.Sql()} {Parameter((long)n, NpgsqlDbType.Bigint)})",
            _ => $"({field.Sql} {op.Sql()} {Parameter(value.Number!.Value, NpgsqlDbType.Double)})",
        };
    }

    private string Fuzzy(string sql, FuzzyNode fuzzy)
    {
        var p = Parameter(fuzzy.Text, NpgsqlDbType.Text);
        return fuzzy.Kind switch
        {
            FuzzyKind.Contains => $"(strpos({sql}, {p}) > 0)",
            FuzzyKind.StartsWith => $"starts_with({sql}, {p})",
            _ => $"(right({sql}, char_length({p})) = {p})",
        };
    }

    private string Has(EntryField field, HasNode has)
    {
        var (sql, values) = field.Type == FieldType.StringList
            ? (field.Sql, Parameter(has.Values.Select(v => v.Text!).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text))
            : ($"({field.Sql})::float8[]", Parameter(has.Values.Select(v => v.Number!.Value).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Double));
        if (field.Type == FieldType.FloatList)
        {
            sql = field.Sql;
        }

        return has.Kind switch
        {
            SetKind.One or SetKind.All => $"({sql} @> {values})",
            SetKind.Any => $"({sql} && {values})",
            _ => $"({sql} <@ {values})",
        };
    }

    private static DateTimeOffset Time(string text) => EntryFields.TryParseTimestamp(text, out var t) ? t : throw new FilterException(400, $"\"{text}\" is not an RFC 3339 time.");

    private string Parameter(object value, NpgsqlDbType type)
    {
        _parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
        return "$" + _parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
