using System.Globalization;

namespace MaterialsDb.Chemistry.Internal;

/// <summary>Reads the unsigned decimal numbers of formulas: <c>2</c>, <c>0.5</c>, <c>.5</c>, <c>1e-3</c>, <c>2.5e+2</c>.</summary>
internal static class AmountReader
{
    // Powers of ten that are exact doubles; with a mantissa below 2^53 one multiply or divide is correctly rounded.
    private static readonly double[] ExactPow10 =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>True when <paramref name="c"/> can start a number.</summary>
    public static bool StartsNumber(char c) => char.IsAsciiDigit(c) || c == '.';

    /// <summary>
    /// Reads a number at <paramref name="pos"/> and advances past it. Only a lowercase <c>e</c> starts an
    /// exponent, and only when a digit (after an optional sign) follows, so <c>Fe2Eu</c> stays Fe2 + Eu.
    /// </summary>
    /// <returns>False when the text there is not a finite number (<paramref name="end"/> then marks where it stopped).</returns>
    public static bool TryRead(ReadOnlySpan<char> s, int pos, out double value, out int end)
    {
        var i = pos;
        ulong mantissa = 0;
        var digits = 0;
        var scale = 0;
        var overflowed = false;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            Accumulate(s[i], ref mantissa, ref digits, ref scale, ref overflowed, fraction: false);
        }

        var anyDigit = i > pos;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            var fracStart = i;
            for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
            {
                Accumulate(s[i], ref mantissa, ref digits, ref scale, ref overflowed, fraction: true);
            }

            anyDigit |= i > fracStart;
        }

        if (!anyDigit)
        {
            value = double.NaN;
            end = i;
            return false;
        }

        var exponent = 0;
        var hasExponent = false;
        if (i < s.Length && s[i] == 'e')
        {
            var j = i + 1;
            var negative = false;
            if (j < s.Length && (s[j] == '-' || s[j] == '+'))
            {
                negative = s[j] == '-';
                j++;
            }

            if (j >= s.Length || !char.IsAsciiDigit(s[j]))
            {
                // "Fe1e" or "Fe1e-": an exponent was started but has no digits.
                value = double.NaN;
                end = j;
                return false;
            }

            for (; j < s.Length && char.IsAsciiDigit(s[j]); j++)
            {
                exponent = Math.Min((exponent * 10) + (s[j] - '0'), 100_000);
            }

            exponent = negative ? -exponent : exponent;
            hasExponent = true;
            i = j;
        }

        end = i;
        if (i < s.Length && s[i] == '.')
        {
            // "1.2.3": a second decimal point.
            value = double.NaN;
            return false;
        }

        var totalScale = scale + exponent;
        if (!overflowed && mantissa < (1UL << 53) && Math.Abs(totalScale) <= 22)
        {
            value = totalScale >= 0 ? mantissa * ExactPow10[totalScale] : mantissa / ExactPow10[-totalScale];
        }
        else
        {
            value = double.Parse(s[pos..i], hasExponent ? NumberStyles.Float : NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        }

        return double.IsFinite(value);
    }

    private static void Accumulate(char c, ref ulong mantissa, ref int digits, ref int scale, ref bool overflowed, bool fraction)
    {
        if (mantissa == 0 && c == '0')
        {
            // Leading zeros carry no significant digit but still shift the decimal point.
            scale -= fraction ? 1 : 0;
            return;
        }

        if (digits < 19)
        {
            mantissa = (mantissa * 10) + (ulong)(c - '0');
            digits++;
            scale -= fraction ? 1 : 0;
        }
        else
        {
            overflowed = true;
            scale += fraction ? 0 : 1;
        }
    }
}
