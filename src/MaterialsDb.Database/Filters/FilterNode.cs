namespace MaterialsDb.Database.Filters;

/// <summary>A parsed OPTIMADE filter: a tree of comparisons joined by AND, OR and NOT.</summary>
public abstract record FilterNode;

/// <summary>Both sides hold.</summary>
public sealed record AndNode(FilterNode Left, FilterNode Right) : FilterNode;

/// <summary>Either side holds.</summary>
public sealed record OrNode(FilterNode Left, FilterNode Right) : FilterNode;

/// <summary>The inner filter does not hold.</summary>
public sealed record NotNode(FilterNode Inner) : FilterNode;

/// <summary><c>property op value</c> (a constant-first comparison is turned around when parsed).</summary>
public sealed record CompareNode(string Property, FilterOperator Operator, FilterValue Value) : FilterNode;

/// <summary><c>property IS KNOWN</c> or <c>IS UNKNOWN</c>.</summary>
public sealed record KnownNode(string Property, bool Known) : FilterNode;

/// <summary><c>property CONTAINS | STARTS WITH | ENDS WITH "text"</c>.</summary>
public sealed record FuzzyNode(string Property, FuzzyKind Kind, string Text) : FilterNode;

/// <summary><c>list HAS v</c>, <c>HAS ALL</c>, <c>HAS ANY</c>, <c>HAS ONLY</c>.</summary>
public sealed record HasNode(string Property, SetKind Kind, IReadOnlyList<FilterValue> Values) : FilterNode;

/// <summary><c>list LENGTH op n</c>.</summary>
public sealed record LengthNode(string Property, FilterOperator Operator, FilterValue Value) : FilterNode;

/// <summary>A constant of the filter: a string or a number.</summary>
/// <param name="Text">The string, unescaped; null for a number.</param>
/// <param name="Number">The number; null for a string.</param>
public sealed record FilterValue(string? Text, double? Number)
{
    /// <summary>As the filter would write it.</summary>
    public override string ToString() => Text is not null ? $"\"{Text}\"" : Number!.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Comparison operators.</summary>
public enum FilterOperator
{
    /// <summary><c>=</c></summary>
    Equal,

    /// <summary><c>!=</c></summary>
    NotEqual,

    /// <summary><c>&lt;</c></summary>
    Less,

    /// <summary><c>&lt;=</c></summary>
    LessOrEqual,

    /// <summary><c>&gt;</c></summary>
    Greater,

    /// <summary><c>&gt;=</c></summary>
    GreaterOrEqual,
}

/// <summary>Substring tests.</summary>
public enum FuzzyKind
{
    /// <summary><c>CONTAINS</c></summary>
    Contains,

    /// <summary><c>STARTS [WITH]</c></summary>
    StartsWith,

    /// <summary><c>ENDS [WITH]</c></summary>
    EndsWith,
}

/// <summary>List tests.</summary>
public enum SetKind
{
    /// <summary><c>HAS v</c>: the list holds v.</summary>
    One,

    /// <summary><c>HAS ALL</c>: the list holds every value.</summary>
    All,

    /// <summary><c>HAS ANY</c>: the list holds at least one value.</summary>
    Any,

    /// <summary><c>HAS ONLY</c>: every item of the list is one of the values.</summary>
    Only,
}

/// <summary>A filter that cannot be run: <see cref="Status"/> 400 (bad filter), 403 or 501 (a feature this provider does not support).</summary>
public sealed class FilterException(int status, string message) : Exception(message)
{
    /// <summary>The HTTP status the OPTIMADE specification asks for.</summary>
    public int Status { get; } = status;
}

/// <summary>Operator helpers.</summary>
public static class FilterOperators
{
    /// <summary>The operator with its operands swapped (<c>3 &lt; x</c> is <c>x &gt; 3</c>).</summary>
    public static FilterOperator Swapped(this FilterOperator op) => op switch
    {
        FilterOperator.Less => FilterOperator.Greater,
        FilterOperator.LessOrEqual => FilterOperator.GreaterOrEqual,
        FilterOperator.Greater => FilterOperator.Less,
        FilterOperator.GreaterOrEqual => FilterOperator.LessOrEqual,
        _ => op,
    };

    /// <summary>The SQL spelling.</summary>
    public static string Sql(this FilterOperator op) => op switch
    {
        FilterOperator.Equal => "=",
        FilterOperator.NotEqual => "<>",
        FilterOperator.Less => "<",
        FilterOperator.LessOrEqual => "<=",
        FilterOperator.Greater => ">",
        _ => ">=",
    };

    /// <summary>True when a comparison result (negative, zero, positive) satisfies the operator.</summary>
    public static bool Holds(this FilterOperator op, int comparison) => op switch
    {
        FilterOperator.Equal => comparison == 0,
        FilterOperator.NotEqual => comparison != 0,
        FilterOperator.Less => comparison < 0,
        FilterOperator.LessOrEqual => comparison <= 0,
        FilterOperator.Greater => comparison > 0,
        _ => comparison >= 0,
    };
}

/// <summary>A comparison of two constants, decided when parsed.</summary>
public sealed record ConstantNode(bool Value) : FilterNode;
