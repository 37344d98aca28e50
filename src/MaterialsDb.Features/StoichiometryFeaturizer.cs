namespace MaterialsDb.Features;

/// <summary>
/// matminer's <c>Stoichiometry()</c>: the p-norms of the atomic fractions, ‖x‖ₚ = (Σ xᵢᵖ)^(1/p), for p = 2, 3, 5, 7, 10,
/// and for p = 0 the number of elements. Labels <c>"{p}-norm"</c>.
/// </summary>
public sealed class StoichiometryFeaturizer : RowFeaturizer
{
    private readonly int[] _p;

    /// <summary>Creates the featurizer for the given norms (matminer's default: 0, 2, 3, 5, 7, 10).</summary>
    public StoichiometryFeaturizer(IReadOnlyList<int>? norms = null)
    {
        _p = [.. norms ?? [0, 2, 3, 5, 7, 10]];
        if (_p.Any(p => p < 0))
        {
            throw new ArgumentException("Norm orders must be 0 or positive.", nameof(norms));
        }

        FeatureLabels = [.. _p.Select(p => $"{p}-norm")];
    }

    /// <inheritdoc />
    public override string Id => "stoichiometry";

    /// <inheritdoc />
    public override IReadOnlyList<string> FeatureLabels { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> Citations { get; } =
    [
        "Ward, L., Agrawal, A., Choudhary, A. & Wolverton, C. A general-purpose machine learning framework for predicting properties of inorganic materials. npj Comput. Mater. 2, 16028 (2016).",
    ];

    /// <inheritdoc />
    protected override void FeaturizeRow(ReadOnlySpan<byte> atomicNumbers, ReadOnlySpan<double> fractions, ReadOnlySpan<double> amounts, Span<float> row, double[] scratch)
    {
        for (var k = 0; k < _p.Length; k++)
        {
            var p = _p[k];
            if (p == 0)
            {
                row[k] = fractions.Length;
                continue;
            }

            var sum = 0.0;
            foreach (var x in fractions)
            {
                sum += Math.Pow(x, p);
            }

            row[k] = (float)Math.Pow(sum, 1.0 / p);
        }
    }
}
