using MaterialsDb.Chemistry;
using MaterialsDb.Features.Internal;

namespace MaterialsDb.Features;

/// <summary>
/// Base of featurizers that compute each row on its own: owns argument checks, the row loop and the rule that an
/// empty batch row (a formula that failed to parse) is written as NaN.
/// </summary>
public abstract class RowFeaturizer : ICompositionFeaturizer
{
    /// <inheritdoc />
    public abstract string Id { get; }

    /// <inheritdoc />
    public abstract IReadOnlyList<string> FeatureLabels { get; }

    /// <inheritdoc />
    public abstract IReadOnlyList<string> Citations { get; }

    /// <inheritdoc />
    public void Featurize(CompositionBatch batch, int startRow, int rowCount, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var width = FeatureLabels.Count;
        FeaturizerGuards.CheckRange(batch, startRow, rowCount, destination, width);
        var scratch = CreateScratch();
        for (var r = 0; r < rowCount; r++)
        {
            var row = destination.Slice(r * width, width);
            var index = startRow + r;
            if (batch.IsEmpty(index))
            {
                row.Fill(float.NaN);
            }
            else
            {
                FeaturizeRow(batch.RowAtomicNumbers(index), batch.RowFractions(index), batch.RowAmounts(index), row, scratch);
            }
        }
    }

    /// <summary>Working memory for one <see cref="Featurize"/> call, shared by its rows.</summary>
    protected virtual double[] CreateScratch() => [];

    /// <summary>Writes one composition's features (elements sorted by atomic number, with fractions and amounts).</summary>
    protected abstract void FeaturizeRow(ReadOnlySpan<byte> atomicNumbers, ReadOnlySpan<double> fractions, ReadOnlySpan<double> amounts, Span<float> row, double[] scratch);
}
