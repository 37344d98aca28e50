using MaterialsDb.Chemistry;
using MaterialsDb.Data.Tables;
using MaterialsDb.Features;

namespace MaterialsDb.Design.Space;

/// <summary>
/// The candidates of a discrete space: their compositions and keys, and optionally their features (kept when they fit
/// <see cref="CachedFeatureLimit"/>, else computed tile by tile each round) and extra columns carried into proposals
/// (a screening's predictions, a dataset's other columns).
/// </summary>
public sealed class CandidatePool
{
    /// <summary>Largest feature matrix kept in memory, in floats (256 MB).</summary>
    public const long CachedFeatureLimit = 64L << 20;

    private readonly float[]? _features;

    /// <summary>A pool of <paramref name="batch"/>'s rows.</summary>
    /// <param name="batch">The compositions (no empty rows).</param>
    /// <param name="featurizer">The surrogate's featurizer.</param>
    /// <param name="extras">Columns per row carried into proposals, or null.</param>
    /// <param name="cacheFeatures">Keep the feature matrix when it fits <see cref="CachedFeatureLimit"/>.</param>
    public CandidatePool(CompositionBatch batch, ICompositionFeaturizer featurizer, ColumnTable? extras = null, bool cacheFeatures = true)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(featurizer);
        Batch = batch;
        Featurizer = featurizer;
        Extras = extras;
        Keys = new ulong[batch.Count];
        for (var r = 0; r < batch.Count; r++)
        {
            Keys[r] = CompositionKey.Of(batch.RowAtomicNumbers(r), batch.RowFractions(r));
        }

        var width = featurizer.FeatureLabels.Count;
        if (cacheFeatures && (long)batch.Count * width <= CachedFeatureLimit)
        {
            _features = new float[batch.Count * width];
            BatchFeaturizer.Featurize(featurizer, batch, _features);
        }
    }

    /// <summary>The compositions.</summary>
    public CompositionBatch Batch { get; }

    /// <summary>The featurizer of <see cref="Features"/>.</summary>
    public ICompositionFeaturizer Featurizer { get; }

    /// <summary>Columns per row carried into proposals.</summary>
    public ColumnTable? Extras { get; }

    /// <summary><see cref="CompositionKey"/> of every row.</summary>
    public ulong[] Keys { get; }

    /// <summary>Rows.</summary>
    public int Count => Batch.Count;

    /// <summary>True when every row's features are kept.</summary>
    public bool FeaturesCached => _features is not null;

    /// <summary>The features of rows [start, start + rows) into <paramref name="destination"/>.</summary>
    public void Features(int start, int rows, Span<float> destination)
    {
        var width = Featurizer.FeatureLabels.Count;
        if (_features is not null)
        {
            _features.AsSpan(start * width, rows * width).CopyTo(destination);
        }
        else
        {
            Featurizer.Featurize(Batch, start, rows, destination[..(rows * width)]);
        }
    }

    /// <summary>The reduced formula of a row.</summary>
    public string Formula(int row) => Batch[row].ReducedFormula;
}
