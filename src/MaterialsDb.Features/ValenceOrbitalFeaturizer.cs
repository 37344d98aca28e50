namespace MaterialsDb.Features;

/// <summary>
/// matminer's <c>ValenceOrbital()</c>: the fraction-weighted mean number of s, p, d and f valence electrons
/// (<c>avg s valence electrons</c> ...), then each divided by the mean total valence (<c>frac s valence electrons</c> ...).
/// </summary>
public sealed class ValenceOrbitalFeaturizer : RowFeaturizer
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
    public override string Id => "valence_orbital";

    /// <inheritdoc />
    public override IReadOnlyList<string> FeatureLabels { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> Citations { get; }

    /// <inheritdoc />
    protected override void FeaturizeRow(ReadOnlySpan<byte> atomicNumbers, ReadOnlySpan<double> fractions, ReadOnlySpan<double> amounts, Span<float> row, double[] scratch)
    {
        var total = 0.0;
        for (var j = 0; j < atomicNumbers.Length; j++)
        {
            total += fractions[j] * _total[atomicNumbers[j] - 1];
        }

        for (var o = 0; o < Orbitals.Length; o++)
        {
            var avg = 0.0;
            for (var j = 0; j < atomicNumbers.Length; j++)
            {
                avg += fractions[j] * _valence[o][atomicNumbers[j] - 1];
            }

            row[o] = (float)avg;
            row[Orbitals.Length + o] = (float)(avg / total);
        }
    }
}
