using MaterialsDb.Chemistry;

namespace MaterialsDb.Features;

/// <summary>
/// Turns compositions into fixed-length float32 descriptor vectors. Implementations are stateless after construction
/// and safe to call from many threads at once.
/// </summary>
public interface ICompositionFeaturizer
{
    /// <summary>Short identifier (<c>magpie</c>, <c>stoichiometry</c>, ...).</summary>
    string Id { get; }

    /// <summary>Feature names in output order; fixed at construction.</summary>
    IReadOnlyList<string> FeatureLabels { get; }

    /// <summary>References to cite when these features are used.</summary>
    IReadOnlyList<string> Citations { get; }

    /// <summary>
    /// Writes rows <paramref name="startRow"/> .. <paramref name="startRow"/> + <paramref name="rowCount"/> - 1 of
    /// <paramref name="batch"/> into <paramref name="destination"/>, row-major, <c>FeatureLabels.Count</c> values per row.
    /// An empty batch row (a formula that failed to parse) gets NaN in every feature. Allocates nothing per row.
    /// </summary>
    void Featurize(CompositionBatch batch, int startRow, int rowCount, Span<float> destination);
}
