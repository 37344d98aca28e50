using System.Globalization;
using MaterialsDb.Features;

namespace MaterialsDb.Training.Attention;

/// <summary>
/// Each row's elements and atomic fractions, read from the last <see cref="ElementFractionFeaturizer.MaxZ"/> feature
/// columns (the element fractions every <c>*-fractions</c> preset ends with), in ascending Z.
/// </summary>
public sealed class ElementLists
{
    private ElementLists(int[] offsets, int[] z, float[] fractions)
    {
        Offsets = offsets;
        Z = z;
        Fractions = fractions;
        for (var r = 0; r + 1 < offsets.Length; r++)
        {
            MaxElements = Math.Max(MaxElements, offsets[r + 1] - offsets[r]);
        }
    }

    /// <summary>Row r's elements are entries <c>Offsets[r]</c> … <c>Offsets[r + 1] − 1</c>.</summary>
    public int[] Offsets { get; }

    /// <summary>Atomic numbers.</summary>
    public int[] Z { get; }

    /// <summary>Atomic fractions (each row's sum to 1).</summary>
    public float[] Fractions { get; }

    /// <summary>The most elements of any row.</summary>
    public int MaxElements { get; }

    /// <summary>Elements in row <paramref name="row"/>.</summary>
    public int Count(int row) => Offsets[row + 1] - Offsets[row];

    /// <summary>Reads every row of a feature matrix.</summary>
    /// <exception cref="InvalidOptionException">The features do not end in element fractions (the message names the first row that shows it).</exception>
    public static ElementLists FromFeatures(float[] features, int width)
    {
        ArgumentNullException.ThrowIfNull(features);
        const int Columns = ElementFractionFeaturizer.MaxZ;
        if (width < Columns)
        {
            throw new InvalidOptionException(string.Create(CultureInfo.InvariantCulture, $"--trainer attention reads each composition from the element fractions a *-fractions preset ends with (fractions, magpie-fractions, ward2016-fractions); these features have only {width} columns."));
        }

        var rows = features.Length / width;
        var offsets = new int[rows + 1];
        var z = new List<int>(rows * 4);
        var fractions = new List<float>(rows * 4);
        for (var r = 0; r < rows; r++)
        {
            var row = features.AsSpan((r * width) + width - Columns, Columns);
            double sum = 0;
            for (var k = 0; k < Columns; k++)
            {
                var f = row[k];
                if (!(f >= 0 && f <= 1))
                {
                    throw NotFractions(r, $"column {k + 1} of the last {Columns} is {f.ToString(CultureInfo.InvariantCulture)}");
                }

                if (f > 0)
                {
                    z.Add(k + 1);
                    fractions.Add(f);
                    sum += f;
                }
            }

            if (Math.Abs(sum - 1) > 1e-3)
            {
                throw NotFractions(r, string.Create(CultureInfo.InvariantCulture, $"its last {Columns} values sum to {sum:G6}, not 1"));
            }

            offsets[r + 1] = z.Count;
        }

        return new ElementLists(offsets, [.. z], [.. fractions]);
    }

    private static InvalidOptionException NotFractions(int row, string why) =>
        new(string.Create(CultureInfo.InvariantCulture, $"--trainer attention reads each composition from the element fractions a *-fractions preset ends with (fractions, magpie-fractions, ward2016-fractions); row {row}'s features do not end in them: {why}."));
}
