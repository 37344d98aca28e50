using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using MaterialsDb.Chemistry.Internal;

namespace MaterialsDb.Chemistry;

/// <summary>
/// Strict, allocation-light chemical formula parser (a single left-to-right pass over a span; no regular expressions).
/// </summary>
/// <remarks>
/// <para>Grammar: parts separated by <c>·</c>, <c>•</c> or <c>*</c> (adducts and hydrates); each part may start with a
/// multiplier (<c>5H2O</c>); inside a part, element symbols with optional amounts and groups in <c>()</c>, <c>[]</c> or
/// <c>{}</c> with optional multipliers, nested to any depth. Amounts are integers, decimals or scientific numbers with a
/// lowercase <c>e</c> (<c>Fe1e-3O</c>). White space may stand between any two tokens.</para>
/// <para>A <c>.</c> is always a decimal point, as in pymatgen: <c>CuSO4.5H2O</c> reads as Cu S O4.5 H2 O
/// (O = 5.5, H = 2), not as a hydrate. Write <c>CuSO4·5H2O</c> or <c>CuSO4*5H2O</c> for the hydrate.</para>
/// <para>Element amounts below <see cref="AmountTolerance"/> are dropped, as pymatgen's <c>Composition</c> does.</para>
/// </remarks>
public static class FormulaParser
{
    /// <summary>Longest formula accepted, in characters.</summary>
    public const int MaxLength = 10_000;

    /// <summary>Amounts smaller than this are treated as absent (pymatgen's <c>Composition.amount_tolerance</c>).</summary>
    public const double AmountTolerance = 1e-8;

    /// <summary>Capacity the destination spans of <see cref="ParseInto"/> need to hold any formula.</summary>
    public const int MaxDistinctElements = PeriodicTable.MaxZ;

    private const int StackLimit = 256;

    /// <summary>Parses a formula.</summary>
    /// <exception cref="FormulaException">The formula is malformed; the message names the position and the problem.</exception>
    public static Composition Parse(string formula)
    {
        ArgumentNullException.ThrowIfNull(formula);
        return TryParse(formula, out var composition, out var error)
            ? composition
            : throw new FormulaException(formula, error);
    }

    /// <summary>Parses a formula without throwing.</summary>
    public static bool TryParse(ReadOnlySpan<char> formula, [NotNullWhen(true)] out Composition? composition, out FormulaError error)
    {
        Span<byte> z = stackalloc byte[MaxDistinctElements];
        Span<double> amounts = stackalloc double[MaxDistinctElements];
        var count = ParseInto(formula, z, amounts, out error);
        composition = count < 0 ? null : new Composition(z[..count].ToArray(), amounts[..count].ToArray());
        return composition is not null;
    }

    /// <summary>
    /// Parses into caller-provided buffers: distinct elements sorted by atomic number with their summed amounts.
    /// Allocation-free for formulas up to 256 characters.
    /// </summary>
    /// <param name="formula">The formula text.</param>
    /// <param name="atomicNumbers">Receives the atomic numbers; needs room for every distinct element (<see cref="MaxDistinctElements"/> always suffices).</param>
    /// <param name="amounts">Receives the amounts, same length as <paramref name="atomicNumbers"/>.</param>
    /// <param name="error">Why the parse failed, or <see cref="FormulaErrorKind.None"/>.</param>
    /// <returns>The number of distinct elements written, or -1 on error.</returns>
    public static int ParseInto(ReadOnlySpan<char> formula, Span<byte> atomicNumbers, Span<double> amounts, out FormulaError error)
    {
        if (formula.Length > MaxLength)
        {
            error = new(FormulaErrorKind.TooLong, MaxLength, $"formula is {formula.Length} characters long; the limit is {MaxLength}");
            return -1;
        }

        // Scratch for unmerged terms and the bracket stack; each is bounded by the formula's length.
        byte[]? rentedZ = null;
        double[]? rentedAmounts = null;
        int[]? rentedStack = null;
        var capacity = formula.Length + 1;
        var termZ = capacity <= StackLimit ? stackalloc byte[capacity] : (rentedZ = ArrayPool<byte>.Shared.Rent(capacity));
        var termAmounts = capacity <= StackLimit ? stackalloc double[capacity] : (rentedAmounts = ArrayPool<double>.Shared.Rent(capacity));
        var stack = capacity <= StackLimit ? stackalloc int[2 * capacity] : (rentedStack = ArrayPool<int>.Shared.Rent(2 * capacity));
        try
        {
            var reader = new FormulaReader(formula, termZ, termAmounts, stack);
            var termCount = reader.Read(out error);
            return termCount < 0 ? -1 : Merge(termZ[..termCount], termAmounts[..termCount], atomicNumbers, amounts, out error);
        }
        finally
        {
            if (rentedZ is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedZ);
                ArrayPool<double>.Shared.Return(rentedAmounts!);
                ArrayPool<int>.Shared.Return(rentedStack!);
            }
        }
    }

    // Sorts terms by atomic number (insertion sort: formulas hold a handful of terms), sums duplicates,
    // drops amounts below the tolerance and checks the total.
    private static int Merge(Span<byte> termZ, Span<double> termAmounts, Span<byte> outZ, Span<double> outAmounts, out FormulaError error)
    {
        for (var i = 1; i < termZ.Length; i++)
        {
            var z = termZ[i];
            var a = termAmounts[i];
            var j = i - 1;
            while (j >= 0 && termZ[j] > z)
            {
                termZ[j + 1] = termZ[j];
                termAmounts[j + 1] = termAmounts[j];
                j--;
            }

            termZ[j + 1] = z;
            termAmounts[j + 1] = a;
        }

        var count = 0;
        var total = 0.0;
        for (var i = 0; i < termZ.Length;)
        {
            var z = termZ[i];
            var sum = 0.0;
            for (; i < termZ.Length && termZ[i] == z; i++)
            {
                sum += termAmounts[i];
            }

            if (sum >= AmountTolerance)
            {
                if (count >= outZ.Length || count >= outAmounts.Length)
                {
                    throw new ArgumentException($"Destination buffers hold {Math.Min(outZ.Length, outAmounts.Length)} elements; the formula has more.", nameof(outZ));
                }

                outZ[count] = z;
                outAmounts[count] = sum;
                total += sum;
                count++;
            }
        }

        if (!double.IsFinite(total))
        {
            error = new(FormulaErrorKind.InvalidAmount, 0, "the amounts add up to more than a finite number");
            return -1;
        }

        if (count == 0 || !(total > 0))
        {
            error = new(FormulaErrorKind.NonPositiveTotal, 0, "the amounts add up to zero; a composition needs a positive total");
            return -1;
        }

        error = default;
        return count;
    }
}
