using System.Globalization;
using MaterialsDb.Chemistry;

namespace MaterialsDb.Screening.Enumeration;

/// <summary>
/// A position in a candidate space's enumeration: the candidate at which to resume (its elements and coefficients).
/// Chunks of a distributed screening store the cursor of their first candidate and start there, so no chunk
/// enumerates what comes before it. Text form: <c>3,8|1,2</c> (atomic numbers ascending | coefficients).
/// </summary>
public readonly record struct EnumerationCursor
{
    /// <summary>Creates a cursor; the arrays are copied.</summary>
    public EnumerationCursor(ReadOnlySpan<byte> atomicNumbers, ReadOnlySpan<int> coefficients)
    {
        if (atomicNumbers.Length == 0 || atomicNumbers.Length != coefficients.Length)
        {
            throw new ArgumentException("A cursor needs one coefficient per element and at least one element.");
        }

        AtomicNumbers = atomicNumbers.ToArray();
        Coefficients = coefficients.ToArray();
    }

    /// <summary>Atomic numbers of the candidate, ascending.</summary>
    public byte[] AtomicNumbers { get; }

    /// <summary>Its coefficients, one per element.</summary>
    public int[] Coefficients { get; }

    /// <summary>Reads the text form.</summary>
    /// <exception cref="FormatException">Not a cursor.</exception>
    public static EnumerationCursor Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var halves = text.Split('|');
        try
        {
            if (halves.Length == 2)
            {
                var z = halves[0].Split(',').Select(t => byte.Parse(t, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
                var c = halves[1].Split(',').Select(t => int.Parse(t, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
                if (z.Length == c.Length && z.All(v => v is >= 1 and <= PeriodicTable.MaxZ) && c.All(v => v >= 1))
                {
                    return new EnumerationCursor(z, c);
                }
            }
        }
        catch (OverflowException)
        {
        }
        catch (FormatException)
        {
        }

        throw new FormatException($"'{text}' is not an enumeration cursor (like 3,8|1,2).");
    }

    /// <summary>Indices of the cursor's elements in <paramref name="palette"/> (sorted atomic numbers).</summary>
    /// <exception cref="ArgumentException">An element is not in the palette, or the elements are not ascending.</exception>
    internal int[] IndicesIn(int[] palette)
    {
        var indices = new int[AtomicNumbers.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            indices[i] = Array.BinarySearch(palette, (int)AtomicNumbers[i]);
            if (indices[i] < 0 || (i > 0 && indices[i] <= indices[i - 1]))
            {
                throw new ArgumentException($"Cursor {this} is not a position of this space (its elements must be in the palette, ascending).");
            }
        }

        return indices;
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Join(',', AtomicNumbers.Select(z => z.ToString(CultureInfo.InvariantCulture))) + "|" + string.Join(',', Coefficients.Select(c => c.ToString(CultureInfo.InvariantCulture)));
}
