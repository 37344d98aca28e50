namespace MaterialsDb.Chemistry.Internal;

/// <summary>
/// One pass over a formula producing unmerged (element, amount) terms. Groups are expanded by multiplying the
/// amounts of the terms they produced, so no recursion and no allocation are needed.
/// </summary>
internal ref struct FormulaReader
{
    private readonly ReadOnlySpan<char> _s;
    private readonly Span<byte> _termZ;
    private readonly Span<double> _termAmounts;

    // Open brackets: for each, the index of its first term and its position in the text.
    private readonly Span<int> _stack;
    private int _depth;
    private int _pos;
    private int _terms;

    public FormulaReader(ReadOnlySpan<char> s, Span<byte> termZ, Span<double> termAmounts, Span<int> stack)
    {
        _s = s;
        _termZ = termZ;
        _termAmounts = termAmounts;
        _stack = stack;
    }

    /// <summary>Reads the whole formula; returns the number of terms or -1 with <paramref name="error"/> set.</summary>
    public int Read(out FormulaError error)
    {
        SkipWhiteSpace();
        if (_pos >= _s.Length)
        {
            error = new(FormulaErrorKind.Empty, 0, "the formula is empty");
            return -1;
        }

        var separatorPos = -1;
        while (true)
        {
            if (!ReadPart(separatorPos, out error))
            {
                return -1;
            }

            if (_pos >= _s.Length)
            {
                return _terms;
            }

            // ReadPart stops only at the end or at a separator.
            separatorPos = _pos++;
        }
    }

    private bool ReadPart(int separatorPos, out FormulaError error)
    {
        SkipWhiteSpace();
        var partStart = _terms;
        var multiplier = 1.0;
        var multiplierPos = _pos;
        if (_pos < _s.Length && AmountReader.StartsNumber(_s[_pos]))
        {
            if (!ReadAmount(out multiplier, out error))
            {
                return false;
            }
        }

        while (true)
        {
            SkipWhiteSpace();
            if (_pos >= _s.Length || IsSeparator(_s[_pos]))
            {
                break;
            }

            var c = _s[_pos];
            bool ok;
            if (char.IsAsciiLetterUpper(c))
            {
                ok = ReadElement(out error);
            }
            else if (c is '(' or '[' or '{')
            {
                ok = Open(out error);
            }
            else if (c is ')' or ']' or '}')
            {
                ok = Close(out error);
            }
            else
            {
                error = Unexpected(c);
                ok = false;
            }

            if (!ok)
            {
                return false;
            }
        }

        if (_depth > 0)
        {
            var openPos = _stack[(2 * _depth) - 1];
            error = new(FormulaErrorKind.UnbalancedBracket, openPos, $"'{_s[openPos]}' is never closed");
            return false;
        }

        if (_terms == partStart)
        {
            error = _pos < _s.Length
                ? new(FormulaErrorKind.UnexpectedCharacter, _pos, $"'{_s[_pos]}' has no formula before it")
                : separatorPos >= 0
                    ? new(FormulaErrorKind.UnexpectedCharacter, separatorPos, $"'{_s[separatorPos]}' has no formula after it")
                    : new(FormulaErrorKind.UnexpectedCharacter, 0, "a number alone is not a formula");
            return false;
        }

        return Scale(partStart, multiplier, multiplierPos, out error);
    }

    private bool ReadElement(out FormulaError error)
    {
        var start = _pos;
        _pos++;
        while (_pos < _s.Length && char.IsAsciiLetterLower(_s[_pos]))
        {
            _pos++;
        }

        var symbol = _s[start.._pos];
        var z = PeriodicTable.AtomicNumberOf(symbol);
        if (z == 0)
        {
            error = new(FormulaErrorKind.UnknownElement, start, $"'{symbol}' is not an element (symbols are case-sensitive, e.g. 'Fe')");
            return false;
        }

        SkipWhiteSpace();
        var amount = 1.0;
        if (_pos < _s.Length && AmountReader.StartsNumber(_s[_pos]) && !ReadAmount(out amount, out error))
        {
            return false;
        }

        _termZ[_terms] = (byte)z;
        _termAmounts[_terms] = amount;
        _terms++;
        error = default;
        return true;
    }

    private bool Open(out FormulaError error)
    {
        _stack[2 * _depth] = _terms;
        _stack[(2 * _depth) + 1] = _pos;
        _depth++;
        _pos++;
        error = default;
        return true;
    }

    private bool Close(out FormulaError error)
    {
        var close = _s[_pos];
        if (_depth == 0)
        {
            error = new(FormulaErrorKind.UnbalancedBracket, _pos, $"'{close}' has no opening bracket");
            return false;
        }

        _depth--;
        var groupStart = _stack[2 * _depth];
        var openPos = _stack[(2 * _depth) + 1];
        var expected = _s[openPos] switch { '(' => ')', '[' => ']', _ => '}' };
        if (close != expected)
        {
            error = new(FormulaErrorKind.UnbalancedBracket, _pos, $"'{close}' closes the '{_s[openPos]}' at position {openPos}; expected '{expected}'");
            return false;
        }

        if (groupStart == _terms)
        {
            error = new(FormulaErrorKind.EmptyGroup, openPos, $"the group '{_s[openPos]}{close}' is empty");
            return false;
        }

        _pos++;
        SkipWhiteSpace();
        var multiplier = 1.0;
        var multiplierPos = _pos;
        if (_pos < _s.Length && AmountReader.StartsNumber(_s[_pos]) && !ReadAmount(out multiplier, out error))
        {
            return false;
        }

        return Scale(groupStart, multiplier, multiplierPos, out error);
    }

    private bool ReadAmount(out double amount, out FormulaError error)
    {
        var start = _pos;
        if (!AmountReader.TryRead(_s, start, out amount, out var end))
        {
            var shown = _s[start..Math.Min(Math.Max(end + 1, start + 1), _s.Length)];
            error = new(FormulaErrorKind.InvalidAmount, start, $"'{shown}' is not a number");
            return false;
        }

        _pos = end;
        error = default;
        return true;
    }

    private readonly FormulaError Unexpected(char c)
    {
        if (char.IsAsciiLetterLower(c))
        {
            return new(FormulaErrorKind.UnexpectedCharacter, _pos, $"'{c}' cannot start an element symbol (symbols start with a capital letter)");
        }

        if (char.IsAsciiDigit(c) || c == '.')
        {
            return new(FormulaErrorKind.InvalidAmount, _pos, $"'{c}': a number must follow an element symbol or a closing bracket");
        }

        if (c is '-' or '+')
        {
            return new(FormulaErrorKind.InvalidAmount, _pos, $"'{c}': amounts must be positive numbers without a sign");
        }

        return new(FormulaErrorKind.UnexpectedCharacter, _pos, $"unexpected character '{c}'");
    }

    // Each multiplier is finite, but nested ones can multiply past double's range ((((Fe)1e200)1e200)1e200): every
    // amount must stay finite, or hulls and features downstream would see Infinity and NaN.
    private readonly bool Scale(int firstTerm, double factor, int factorPos, out FormulaError error)
    {
        if (factor != 1.0)
        {
            for (var i = firstTerm; i < _terms; i++)
            {
                _termAmounts[i] *= factor;
                if (!double.IsFinite(_termAmounts[i]))
                {
                    error = new(FormulaErrorKind.InvalidAmount, factorPos, $"the multiplier makes the amount of {PeriodicTable.FromZ(_termZ[i]).Symbol} too large to be a finite number");
                    return false;
                }
            }
        }

        error = default;
        return true;
    }

    private static bool IsSeparator(char c) => c is '·' or '•' or '*';

    private void SkipWhiteSpace()
    {
        while (_pos < _s.Length && char.IsWhiteSpace(_s[_pos]))
        {
            _pos++;
        }
    }
}
