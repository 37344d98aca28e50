using MaterialsDb.Chemistry;

namespace MaterialsDb.Features;

/// <summary>
/// matminer's <c>ElementFraction()</c>: the atomic fraction of each element H … Lr (Z = 1 … 103), labels by symbol.
/// Elements beyond Lr are not represented, as in matminer.
/// </summary>
public sealed class ElementFractionFeaturizer : RowFeaturizer
{
    /// <summary>Heaviest element with its own column (lawrencium).</summary>
    public const int MaxZ = 103;

    /// <inheritdoc />
    public override string Id => "element_fraction";

    /// <inheritdoc />
    public override IReadOnlyList<string> FeatureLabels { get; } = [.. Enumerable.Range(1, MaxZ).Select(z => PeriodicTable.FromZ(z).Symbol)];

    /// <inheritdoc />
    public override IReadOnlyList<string> Citations { get; } =
    [
        "Ward, L., Agrawal, A., Choudhary, A. & Wolverton, C. A general-purpose machine learning framework for predicting properties of inorganic materials. npj Comput. Mater. 2, 16028 (2016).",
    ];

    /// <inheritdoc />
    protected override void FeaturizeRow(ReadOnlySpan<byte> atomicNumbers, ReadOnlySpan<double> fractions, ReadOnlySpan<double> amounts, Span<float> row, double[] scratch)
    {
        row.Clear();
        for (var j = 0; j < atomicNumbers.Length; j++)
        {
            if (atomicNumbers[j] <= MaxZ)
            {
                row[atomicNumbers[j] - 1] = (float)fractions[j];
            }
        }
    }
}
