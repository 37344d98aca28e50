namespace MaterialsDb.Models.Trees;

/// <summary>
/// A sum-of-trees regressor in flat arrays laid out for branch-free walking: node <c>i</c> sends a row to
/// <c>Left[i]</c> when <c>x[Feature[i]] ≤ Threshold[i]</c>, else to <c>Left[i] + 1</c> (siblings are adjacent). A leaf
/// points to itself with threshold +∞, so extra steps past a leaf stay on it and rows can walk in lockstep.
/// </summary>
/// <remarks>
/// The prediction is the float32 sum of the trees' leaf values in tree order, plus <see cref="BaseValue"/>: the same
/// arithmetic, in the same order, as ONNX Runtime's TreeEnsembleRegressor, so results are bit-identical.
/// </remarks>
public sealed class TreeEnsemble
{
    internal TreeEnsemble(int featureCount, int[] roots, int[] depths, int[] feature, float[] threshold, int[] left, float[] value, float baseValue)
    {
        FeatureCount = featureCount;
        Roots = roots;
        Depths = depths;
        Feature = feature;
        Threshold = threshold;
        Left = left;
        Value = value;
        BaseValue = baseValue;
        Packed = new ulong[feature.Length];
        for (var t = 0; t < roots.Length; t++)
        {
            var end = t + 1 < roots.Length ? roots[t + 1] : feature.Length;
            if (end - roots[t] > ushort.MaxValue || featureCount > ushort.MaxValue)
            {
                throw new ArgumentException($"Tree {t} has {end - roots[t]} nodes; at most {ushort.MaxValue} are supported.");
            }

            for (var i = roots[t]; i < end; i++)
            {
                Packed[i] = (uint)BitConverter.SingleToInt32Bits(threshold[i]) | ((ulong)feature[i] << 32) | ((ulong)(left[i] - roots[t]) << 48);
            }
        }
    }

    /// <summary>
    /// Each node in one word, its tree's nodes contiguous from the root: threshold bits (low 32), feature (16), left
    /// child relative to the tree's root (high 16). One load per step.
    /// </summary>
    internal ulong[] Packed { get; }

    /// <summary>Width of a feature row.</summary>
    public int FeatureCount { get; }

    /// <summary>Number of trees.</summary>
    public int TreeCount => Roots.Length;

    /// <summary>Number of nodes, leaves included.</summary>
    public int NodeCount => Feature.Length;

    /// <summary>Root node of each tree.</summary>
    internal int[] Roots { get; }

    /// <summary>Longest root-to-leaf path of each tree (steps).</summary>
    internal int[] Depths { get; }

    internal int[] Feature { get; }

    internal float[] Threshold { get; }

    internal int[] Left { get; }

    /// <summary>Leaf value (0 for inner nodes).</summary>
    internal float[] Value { get; }

    internal float BaseValue { get; }

    /// <summary>Mean number of steps from root to leaf over all leaves (for reports).</summary>
    public double MeanLeafDepth { get; internal set; }

    /// <summary>Mean of the trees' longest paths.</summary>
    public double MeanMaxDepth => Depths.Average();
}
