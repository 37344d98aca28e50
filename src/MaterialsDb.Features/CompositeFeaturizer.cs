using MaterialsDb.Chemistry;
using MaterialsDb.Features.Internal;

namespace MaterialsDb.Features;

/// <summary>Several featurizers side by side: their labels concatenated in order (matminer's MultipleFeaturizer).</summary>
public sealed class CompositeFeaturizer : ICompositionFeaturizer
{
    private readonly ICompositionFeaturizer[] _parts;

    /// <summary>Creates the composite.</summary>
    public CompositeFeaturizer(string id, params ICompositionFeaturizer[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        _parts = parts;
        Id = id;
        FeatureLabels = [.. parts.SelectMany(p => p.FeatureLabels)];
        Citations = [.. parts.SelectMany(p => p.Citations).Distinct()];
        var duplicate = FeatureLabels.GroupBy(l => l).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Feature label '{duplicate.Key}' appears in more than one part.", nameof(parts));
        }
    }

    /// <inheritdoc />
    public string Id { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> FeatureLabels { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> Citations { get; }

    /// <summary>The featurizers in output order.</summary>
    public IReadOnlyList<ICompositionFeaturizer> Parts => _parts;

    /// <inheritdoc />
    public void Featurize(CompositionBatch batch, int startRow, int rowCount, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var width = FeatureLabels.Count;
        FeaturizerGuards.CheckRange(batch, startRow, rowCount, destination, width);

        // Each part writes its own contiguous block into a scratch matrix, then the blocks are interleaved per row. The
        // scratch is pooled: a block of rows is hundreds of KB, and allocating it per call filled the large-object
        // heap and cost a full collection every few blocks.
        var offset = 0;
        foreach (var part in _parts)
        {
            var partWidth = part.FeatureLabels.Count;
            var scratch = System.Buffers.ArrayPool<float>.Shared.Rent(rowCount * partWidth);
            try
            {
                part.Featurize(batch, startRow, rowCount, scratch.AsSpan(0, rowCount * partWidth));
                for (var r = 0; r < rowCount; r++)
                {
                    scratch.AsSpan(r * partWidth, partWidth).CopyTo(destination.Slice((r * width) + offset, partWidth));
                }
            }
            finally
            {
                System.Buffers.ArrayPool<float>.Shared.Return(scratch);
            }

            offset += partWidth;
        }
    }
}
