using MaterialsDb.Chemistry;

namespace MaterialsDb.Features;

/// <summary>Runs a featurizer over a whole batch on several threads, in contiguous row blocks.</summary>
public static class BatchFeaturizer
{
    /// <summary>Rows per work item: large enough to amortise scheduling, small enough to balance two cores.</summary>
    public const int BlockRows = 4096;

    /// <summary>
    /// Featurizes every row of <paramref name="batch"/> into <paramref name="destination"/> (row-major).
    /// Results do not depend on the number of threads.
    /// </summary>
    public static void Featurize(ICompositionFeaturizer featurizer, CompositionBatch batch, float[] destination, int maxDegreeOfParallelism = -1, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(featurizer);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(destination);
        var width = featurizer.FeatureLabels.Count;
        if (destination.LongLength < (long)batch.Count * width)
        {
            throw new ArgumentException($"Destination holds {destination.LongLength} values; {batch.Count} rows × {width} features need {(long)batch.Count * width}.", nameof(destination));
        }

        var blocks = (batch.Count + BlockRows - 1) / BlockRows;
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism, CancellationToken = cancellationToken };
        Parallel.For(0, blocks, options, block =>
        {
            var start = block * BlockRows;
            var rows = Math.Min(BlockRows, batch.Count - start);
            featurizer.Featurize(batch, start, rows, destination.AsSpan(start * width, rows * width));
        });
    }
}
