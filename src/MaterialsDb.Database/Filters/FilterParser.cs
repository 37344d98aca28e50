using System.Globalization;
using System.Text;

namespace MaterialsDb.Database.Filters;

/// <summary>
/// Parses the OPTIMADE v1.2 filter language: comparisons in either operand order; <c>NOT</c> before <c>AND</c>
/// before <c>OR</c>; <c>IS KNOWN</c>/<c>UNKNOWN</c>; <c>CONTAINS</c>, <c>STARTS [WITH]</c>, <c>ENDS [WITH]</c>;
/// <c>HAS</c>, <c>HAS ALL</c>, <c>HAS ANY</c>, <c>HAS ONLY</c>; <c>LENGTH</c>. The optional features this provider does
/// not support (comparing two properties, <c>HAS</c> with an operator other than <c>=</c>, the <c>:</c> zip of
/// properties) are refused with status 501. Filters are bounded before they run: length, nesting and comparisons.
/// </summary>
public sealed class FilterParser
{
    /// <summary>Longest filter, in characters.</summary>
    public const int MaxLength = 4096;

    /// <summary>Deepest nesting of parentheses and NOT.</summary>
    public const int MaxDepth = 32;

    /// <summary>Most comparisons in one filter.</summary>
    public const int MaxComparisons = 256;

    /// <summary>Most values in one HAS ALL/ANY/ONLY list.</summary>
    public const int MaxListValues = 256;

    private static readonly HashSet<string> Keywords = ["AND", "OR", "NOT", "IS", "KNOWN", "UNKNOWN", "CONTAINS", "STARTS", "ENDS", "WITH", "LENGTH", "HAS", "ALL", "ANY", "ONLY"];

    private readonly List<Token> _tokens;
    private int _at;
    private int _depth;
    private int _comparisons;

    private FilterParser(List<Token> tokens) => _tokens = tokens;

    private enum Kind
    {
        Keyword,
        Property,
        String,
        Number,
        Operator,
        Open,
        Close,
        Comma,
        Colon,
        End,
    }

    /// <summary>Parses a filter.</summary>
    /// <exception cref="FilterException">400 for a filter that breaks the grammar or a bound, 501 for an unsupported optional feature.</exception>
    public static FilterNode Parse(string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Length > MaxLength)
        {
            throw new FilterException(400, $"The filter has {filter.Length} characters; at most {MaxLength} are accepted.");
        }

        var parser = new FilterParser(Tokenize(filter));
        if (parser.Peek.Kind == Kind.End)
        {
            throw new FilterException(400, "The filter is empty; leave the parameter out to match every entry.");
        }

        var node = parser.Expression();
        return parser.Peek.Kind == Kind.End ? node : throw parser.Error($"unexpected {parser.Peek.Describe()}");
    }

    private Token Peek => _tokens[_at];

    private FilterNode Expression()
    {
        var left = Clause();
        while (IsKeyword("OR"))
        {
            _at++;
            left = new OrNode(left, Clause());
        }

        return left;
    }

    private FilterNode Clause()
    {
        var left = Phrase();
        while (IsKeyword("AND"))
        {
            _at++;
            left = new AndNode(left, Phrase());
        }

        return left;
    }

    private FilterNode Phrase()
    {
        var negate = false;
        if (IsKeyword("NOT"))
        {
            _at++;
            negate = true;
        }

        if (++_depth > MaxDepth)
        {
            throw Error($"the filter nests deeper than {MaxDepth} levels");
        }

        FilterNode node;
        if (Peek.Kind == Kind.Open)
        {
            _at++;
            node = Expression();
            Expect(Kind.Close, "')'");
        }
        else
        {
            node = Comparison();
        }

        _depth--;
        return negate ? new NotNode(node) : node;
    }

    private FilterNode Comparison()
    {
        if (++_comparisons > MaxComparisons)
        {
            throw Error($"the filter has more than {MaxComparisons} comparisons");
        }

        var first = Peek;
        if (first.Kind is Kind.String or Kind.Number)
        {
            _at++;
            var op = Operator();
            var right = Peek;
            _at++;
            return right.Kind switch
            {
                Kind.Property => new CompareNode(right.Text, op.Swapped(), first.Value!),
                Kind.String or Kind.Number => Constant(first.Value!, op, right.Value!),
                _ => throw Error($"expected a property or a value after the operator, found {right.Describe()}", right),
            };
        }

        if (first.Kind != Kind.Property)
        {
            throw Error($"expected a property, a value or '(', found {first.Describe()}", first);
        }

        _at++;
        var property = first.Text;
        if (Peek.Kind == Kind.Operator)
        {
            var op = Operator();
            return new CompareNode(property, op, Value("the operator"));
        }

        if (Peek.Kind == Kind.Colon)
        {
            throw new FilterException(501, "Zipped list comparisons (property:property HAS ...) are an optional OPTIMADE feature this provider does not support.");
        }

        var keyword = Peek.Kind == Kind.Keyword ? Peek.Text : null;
        _at++;
        switch (keyword)
        {
            case "IS":
                var known = Peek.Kind == Kind.Keyword && Peek.Text is "KNOWN" or "UNKNOWN" ? Peek.Text == "KNOWN" : throw Error("expected KNOWN or UNKNOWN after IS");
                _at++;
                return new KnownNode(property, known);
            case "CONTAINS":
                return new FuzzyNode(property, FuzzyKind.Contains, Text("CONTAINS"));
            case "STARTS" or "ENDS":
                if (IsKeyword("WITH"))
                {
                    _at++;
                }

                return new FuzzyNode(property, keyword == "STARTS" ? FuzzyKind.StartsWith : FuzzyKind.EndsWith, Text(keyword));
            case "LENGTH":
                var lengthOp = Peek.Kind == Kind.Operator ? Operator() : FilterOperator.Equal;
                return new LengthNode(property, lengthOp, Value("LENGTH"));
            case "HAS":
                return Has(property);
            default:
                _at--;
                throw Error($"expected an operator, IS, CONTAINS, STARTS, ENDS, HAS or LENGTH after '{property}', found {Peek.Describe()}");
        }
    }

    private HasNode Has(string property)
    {
        var kind = Peek.Kind == Kind.Keyword ? Peek.Text switch
        {
            "ALL" => SetKind.All,
            "ANY" => SetKind.Any,
            "ONLY" => SetKind.Only,
            _ => SetKind.One,
        } : SetKind.One;
        if (kind == SetKind.One)
        {
            return new HasNode(property, kind, [ListValue()]);
        }

        _at++;
        var values = new List<FilterValue> { ListValue() };
        while (Peek.Kind == Kind.Comma)
        {
            _at++;
            values.Add(ListValue());
            if (values.Count > MaxListValues)
            {
                throw Error($"a HAS list holds more than {MaxListValues} values");
            }
        }

        return new HasNode(property, kind, values);
    }

    private FilterValue ListValue()
    {
        if (Peek.Kind == Kind.Operator)
        {
            var op = Operator();
            if (op != FilterOperator.Equal)
            {
                throw new FilterException(501, "HAS with a comparison operator other than '=' is an optional OPTIMADE feature this provider does not support.");
            }
        }

        return Value("HAS");
    }

    private FilterValue Value(string after)
    {
        var token = Peek;
        _at++;
        return token.Kind switch
        {
            Kind.String or Kind.Number => token.Value!,
            Kind.Property => throw new FilterException(501, $"Comparing a property with another property ('{token.Text}') is an optional OPTIMADE feature this provider does not support."),
            _ => throw Error($"expected a string or a number after {after}, found {token.Describe()}", token),
        };
    }

    private string Text(string after)
    {
        var value = Value(after);
        return value.Text ?? throw Error($"{after} takes a string, not the number {value}", _tokens[_at - 1]);
    }

    private FilterOperator Operator()
    {
        var token = Peek;
        _at++;
        return token.Kind == Kind.Operator ? token.Operator : throw Error($"expected an operator, found {token.Describe()}", token);
    }

    // Two constants compare like the same constants in a property: strings by code point, numbers as numbers.
    private FilterNode Constant(FilterValue left, FilterOperator op, FilterValue right)
    {
        if ((left.Text is null) != (right.Text is null))
        {
            throw Error($"cannot compare {left} with {right}: one is a string, the other a number");
        }

        var comparison = left.Text is not null ? string.CompareOrdinal(left.Text, right.Text) : left.Number!.Value.CompareTo(right.Number!.Value);
        return op.Holds(comparison) ? new ConstantNode(true) : new ConstantNode(false);
    }

    private bool IsKeyword(string word) => Peek.Kind == Kind.Keyword && Peek.Text == word;

    private void Expect(Kind kind, string what)
    {
        if (Peek.Kind != kind)
        {
            throw Error($"expected {what}, found {Peek.Describe()}");
        }

        _at++;
    }

    private FilterException Error(string what, Token? at = null) =>
        new(400, $"Filter syntax error at character {(at ?? Peek).Position + 1}: {what}.");

    private static List<Token> Tokenize(string s)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (true)
        {
            while (i < s.Length && s[i] is ' ' or '\t' or '\n' or '\r' or '\v' or '\f')
            {
                i++;
            }

            if (i == s.Length)
            {
                tokens.Add(new Token(Kind.End, "end of filter", i));
                return tokens;
            }

            var start = i;
            var c = s[i];
            if (c == '"')
            {
                tokens.Add(ReadString(s, ref i));
            }
            else if (char.IsAsciiDigit(c) || c == '.' || ((c is '+' or '-') && i + 1 < s.Length && (char.IsAsciiDigit(s[i + 1]) || s[i + 1] == '.')))
            {
                tokens.Add(ReadNumber(s, ref i));
            }
            else if (char.IsAsciiLetterLower(c) || c == '_')
            {
                while (i < s.Length && (char.IsAsciiLetterLower(s[i]) || char.IsAsciiDigit(s[i]) || s[i] == '_' || (s[i] == '.' && i + 1 < s.Length && (char.IsAsciiLetterLower(s[i + 1]) || s[i + 1] == '_'))))
                {
                    i++;
                }

                if (i < s.Length && char.IsAsciiLetterUpper(s[i]))
                {
                    throw new FilterException(400, $"Filter syntax error at character {start + 1}: property names are lowercase ('{s[start..Math.Min(s.Length, i + 10)]}...').");
                }

                tokens.Add(new Token(Kind.Property, s[start..i], start));
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                while (i < s.Length && char.IsAsciiLetter(s[i]))
                {
                    i++;
                }

                var word = s[start..i];
                tokens.Add(Keywords.Contains(word) ? new Token(Kind.Keyword, word, start)
                    : throw new FilterException(400, $"Filter syntax error at character {start + 1}: '{word}' is not a keyword (keywords are AND, OR, NOT, IS, KNOWN, UNKNOWN, CONTAINS, STARTS, ENDS, WITH, LENGTH, HAS, ALL, ANY, ONLY; property names are lowercase)."));
            }
            else
            {
                i++;
                tokens.Add(c switch
                {
                    '(' => new Token(Kind.Open, "(", start),
                    ')' => new Token(Kind.Close, ")", start),
                    ',' => new Token(Kind.Comma, ",", start),
                    ':' => new Token(Kind.Colon, ":", start),
                    '=' => new Token(Kind.Operator, "=", start) { Operator = FilterOperator.Equal },
                    '!' when i < s.Length && s[i] == '=' => ReadRelation(s, c, start, ref i),
                    '<' or '>' => ReadRelation(s, c, start, ref i),
                    _ => throw new FilterException(400, $"Filter syntax error at character {start + 1}: unexpected character '{c}'."),
                });
            }
        }
    }

    private static Token ReadRelation(string s, char c, int start, ref int i)
    {
        var orEqual = i < s.Length && s[i] == '=';
        if (orEqual)
        {
            i++;
        }

        var op = (c, orEqual) switch
        {
            ('!', _) => FilterOperator.NotEqual,
            ('<', false) => FilterOperator.Less,
            ('<', true) => FilterOperator.LessOrEqual,
            (_, false) => FilterOperator.Greater,
            _ => FilterOperator.GreaterOrEqual,
        };
        return new Token(Kind.Operator, s[start..i], start) { Operator = op };
    }

    private static Token ReadString(string s, ref int i)
    {
        var start = i++;
        var text = new StringBuilder();
        while (true)
        {
            if (i >= s.Length)
            {
                throw new FilterException(400, $"Filter syntax error at character {start + 1}: the string is not closed with '\"'.");
            }

            var c = s[i++];
            if (c == '"')
            {
                return new Token(Kind.String, s[start..i], start) { Value = new FilterValue(text.ToString(), null) };
            }

            if (c == '\\')
            {
                if (i >= s.Length || s[i] is not ('"' or '\\'))
                {
                    throw new FilterException(400, $"Filter syntax error at character {i}: in a string a backslash escapes only '\"' or '\\'.");
                }

                c = s[i++];
            }
            else if (c < ' ' && c is not ('\t' or '\n' or '\r' or '\v' or '\f'))
            {
                throw new FilterException(400, $"Filter syntax error at character {i}: a string may not hold control character U+{(int)c:X4}.");
            }

            text.Append(c);
        }
    }

    private static Token ReadNumber(string s, ref int i)
    {
        var start = i;
        if (s[i] is '+' or '-')
        {
            i++;
        }

        var digits = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
            digits++;
        }

        if (i < s.Length && s[i] == '.')
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
                digits++;
            }
        }

        var valid = digits > 0;
        if (valid && i < s.Length && s[i] is 'e' or 'E')
        {
            i++;
            if (i < s.Length && s[i] is '+' or '-')
            {
                i++;
            }

            var exponent = 0;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
                exponent++;
            }

            valid = exponent > 0;
        }

        if (!valid || (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '_' or '.')))
        {
            throw new FilterException(400, $"Filter syntax error at character {start + 1}: '{s[start..Math.Min(s.Length, i + 1)]}' is not a number.");
        }

        var number = double.Parse(s.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.IsFinite(number)
            ? new Token(Kind.Number, s[start..i], start) { Value = new FilterValue(null, number) }
            : throw new FilterException(400, $"Filter syntax error at character {start + 1}: {s[start..i]} is out of the range of numbers.");
    }

    private sealed record Token(Kind Kind, string Text, int Position)
    {
        public FilterValue? Value { get; init; }

        public FilterOperator Operator { get; init; }

        public string Describe() => Kind switch
        {
            Kind.End => "the end of the filter",
            Kind.String => $"the string {Text}",
            Kind.Number => $"the number {Text}",
            Kind.Keyword => $"the keyword {Text}",
            Kind.Property => $"the property '{Text}'",
            _ => $"'{Text}'",
        };
    }
}
