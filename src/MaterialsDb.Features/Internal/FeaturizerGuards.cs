using MaterialsDb.Chemistry;

namespace MaterialsDb.Features.Internal;

/// <summary>Argument checks shared by the featurizers.</summary>
internal static class FeaturizerGuards
{
    public static void CheckRange(CompositionBatch batch, int startRow, int rowCount, Span<float> destination, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startRow);
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        if (startRow + rowCount > batch.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(rowCount), $"Rows {startRow}..{startRow + rowCount - 1} are outside the batch of {batch.Count} rows.");
        }

        if (destination.Length < (long)rowCount * width)
        {
            throw new ArgumentException($"Destination holds {destination.Length} values; {rowCount} rows × {width} features need {(long)rowCount * width}.", nameof(destination));
        }
    }
}
