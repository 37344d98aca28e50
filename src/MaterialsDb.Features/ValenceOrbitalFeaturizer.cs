using MaterialsDb.Chemistry;
using MaterialsDb.Features.Internal;

namespace MaterialsDb.Features;

/// <summary>
/// matminer's <c>ValenceOrbital()</c>: the fraction-weighted mean number of s, p, d and f valence electrons
/// (<c>avg s valence electrons</c> ...), then each divided by the mean total valence (<c>frac s valence electrons</c> ...).
/// </summary>
public sealed class ValenceOrbitalFeaturizer : ICompositionFeaturizer
{
    private static readonly string[] Orbitals = ["s", "p", "d", "f"];
    private readonly double[][] _valence;
    private readonly double[] _total;

    /// <summary>Creates the featurizer from a source holding <c>NsValence</c> … <c>NfValence</c> and <c>NValence</c>.</summary>
    public ValenceOrbitalFeaturizer(ElementPropertySource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _valence = [.. Orbitals.Select(o => source.Values($"N{o}Valence").ToArray())];
        _total = source.Values("NValence").ToArray();
        FeatureLabels = [.. Orbitals.Select(o => $"avg {o} valence electrons"), .. Orbitals.Select(o => $"frac {o} valence electrons")];
        Citations = [source.Citation];
    }

    /// <inheritdoc />
    public string Id => "valence_orbital";

    /// <inheritdoc />
    public IReadOnlyList<string> FeatureLabels { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> Citations { get; }

    /// <inheritdoc />
    public void Featurize(CompositionBatch batch, int startRow, int rowCount, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(batch);
        const int width = 8;
        FeaturizerGuards.CheckRange(batch, startRow, rowCount, destination, width);
        for (var r = 0; r < rowCount; r++)
        {
            var row = destination.Slice(r * width, width);
            var index = startRow + r;
            if (batch.IsEmpty(index))
            {
                row.Fill(float.NaN);
                continue;
            }

            var z = batch.RowAtomicNumbers(index);
            var fractions = batch.RowFractions(index);
            var total = 0.0;
            for (var j = 0; j < z.Length; j++)
            {
                total += fractions[j] * _total[z[j] - 1];
            }

            for (var o = 0; o < Orbitals.Length; o++)
            {
                var avg = 0.0;
                for (var j = 0; j < z.Length; j++)
                {
                    avg += fractions[j] * _valence[o][z[j] - 1];
                }

                row[o] = (float)avg;
                row[Orbitals.Length + o] = (float)(avg / total);
            }
        }
    }
}
