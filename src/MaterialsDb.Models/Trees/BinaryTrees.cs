namespace MaterialsDb.Models.Trees;

/// <summary>
/// One regression tree as LightGBM and ML.NET's FastTree describe it: internal node <c>i</c> sends a row to
/// <c>Left[i]</c> when <c>x[Feature[i]] ≤ Threshold[i]</c>, else to <c>Right[i]</c>; a child <c>c &lt; 0</c> is leaf
/// <c>~c</c>. A tree without internal nodes is its single leaf.
/// </summary>
public sealed record BinaryTree(int[] Left, int[] Right, int[] Feature, float[] Threshold, float[] Leaves);

/// <summary>Builds the native evaluator's <see cref="TreeEnsemble"/> from trees held in memory (no ONNX round trip).</summary>
public static class BinaryTrees
{
    /// <summary>The sum of <paramref name="trees"/> plus <paramref name="baseValue"/>, laid out for <see cref="TreeEvaluator"/>.</summary>
    /// <exception cref="ArgumentException">A tree is malformed (the message says how).</exception>
    public static TreeEnsemble Build(int featureCount, IReadOnlyList<BinaryTree> trees, float baseValue)
    {
        ArgumentNullException.ThrowIfNull(trees);
        var (treeIds, nodeIds, featureIds, isLeaf, thresholds, trueIds, falseIds) = (new List<int>(), new List<int>(), new List<int>(), new List<bool>(), new List<float>(), new List<int>(), new List<int>());
        var (targetTrees, targetNodes, targetWeights) = (new List<int>(), new List<int>(), new List<float>());
        for (var t = 0; t < trees.Count; t++)
        {
            var tree = trees[t];
            var inner = tree.Feature.Length;
            // ONNX-style ids: internal nodes first (the root is 0), then the leaves.
            int Id(int child) => child >= 0 ? child : inner + ~child;
            for (var i = 0; i < inner; i++)
            {
                treeIds.Add(t);
                nodeIds.Add(i);
                featureIds.Add(tree.Feature[i]);
                isLeaf.Add(false);
                thresholds.Add(tree.Threshold[i]);
                trueIds.Add(Id(tree.Left[i]));
                falseIds.Add(Id(tree.Right[i]));
            }

            for (var j = 0; j < tree.Leaves.Length; j++)
            {
                treeIds.Add(t);
                nodeIds.Add(inner + j);
                featureIds.Add(0);
                isLeaf.Add(true);
                thresholds.Add(0);
                trueIds.Add(0);
                falseIds.Add(0);
                targetTrees.Add(t);
                targetNodes.Add(inner + j);
                targetWeights.Add(tree.Leaves[j]);
            }
        }

        return TreeLayout.Build(featureCount, [.. treeIds], [.. nodeIds], [.. featureIds], [.. isLeaf], [.. thresholds], [.. trueIds], [.. falseIds], [.. targetTrees], [.. targetNodes], [.. targetWeights], baseValue, out var reason)
            ?? throw new ArgumentException($"Not a tree ensemble: {reason}.", nameof(trees));
    }
}
