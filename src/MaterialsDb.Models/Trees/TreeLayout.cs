namespace MaterialsDb.Models.Trees;

/// <summary>Lays ONNX's per-node tree attributes out as a <see cref="TreeEnsemble"/>: breadth first, siblings adjacent.</summary>
internal static class TreeLayout
{
    public static TreeEnsemble? Build(
        int featureCount, int[] treeIds, int[] nodeIds, int[] featureIds, bool[] isLeaf, float[] thresholds, int[] trueIds, int[] falseIds,
        int[] targetTreeIds, int[] targetNodeIds, float[] targetWeights, float baseValue, out string? reason)
    {
        var count = treeIds.Length;
        if (new[] { nodeIds.Length, featureIds.Length, isLeaf.Length, thresholds.Length, trueIds.Length, falseIds.Length }.Any(n => n != count)
            || targetNodeIds.Length != targetTreeIds.Length || targetWeights.Length != targetTreeIds.Length)
        {
            reason = "node attribute lists of different lengths";
            return null;
        }

        var index = new Dictionary<(int Tree, int Node), int>(count);
        for (var i = 0; i < count; i++)
        {
            if (!index.TryAdd((treeIds[i], nodeIds[i]), i))
            {
                reason = $"node {nodeIds[i]} of tree {treeIds[i]} listed twice";
                return null;
            }
        }

        // Leaf values: a leaf's weights summed in listing order, as ONNX Runtime does.
        var weight = new float[count];
        for (var t = 0; t < targetTreeIds.Length; t++)
        {
            if (!index.TryGetValue((targetTreeIds[t], targetNodeIds[t]), out var at) || !isLeaf[at])
            {
                reason = $"a weight names node {targetNodeIds[t]} of tree {targetTreeIds[t]}, which is not a leaf";
                return null;
            }

            weight[at] += targetWeights[t];
        }

        var trees = treeIds.Distinct().Order().ToArray();
        var feature = new int[count];
        var threshold = new float[count];
        var left = new int[count];
        var value = new float[count];
        var roots = new int[trees.Length];
        var depths = new int[trees.Length];
        var next = 0;
        long leafDepths = 0, leaves = 0;
        var queue = new Queue<(int Source, int Slot, int Depth)>();
        for (var t = 0; t < trees.Length; t++)
        {
            if (!index.TryGetValue((trees[t], 0), out var root))
            {
                reason = $"tree {trees[t]} has no node 0 (its root)";
                return null;
            }

            roots[t] = next;
            queue.Enqueue((root, next++, 0));
            while (queue.TryDequeue(out var item))
            {
                var (source, slot, depth) = item;
                if (next > count)
                {
                    reason = $"tree {trees[t]} is not a tree (a node is reached twice)";
                    return null;
                }

                depths[t] = Math.Max(depths[t], depth);
                if (isLeaf[source])
                {
                    (feature[slot], threshold[slot], left[slot], value[slot]) = (0, float.PositiveInfinity, slot, weight[source]);
                    leafDepths += depth;
                    leaves++;
                    continue;
                }

                if ((uint)featureIds[source] >= (uint)featureCount)
                {
                    reason = $"tree {trees[t]} splits on feature {featureIds[source]}, but rows have {featureCount}";
                    return null;
                }

                if (!index.TryGetValue((trees[t], trueIds[source]), out var whenTrue) || !index.TryGetValue((trees[t], falseIds[source]), out var whenFalse))
                {
                    reason = $"node {nodeIds[source]} of tree {trees[t]} points to a missing child";
                    return null;
                }

                (feature[slot], threshold[slot], left[slot]) = (featureIds[source], thresholds[source], next);
                queue.Enqueue((whenTrue, next++, depth + 1));
                queue.Enqueue((whenFalse, next++, depth + 1));
            }
        }

        if (next != count)
        {
            reason = $"{count - next} nodes belong to no tree";
            return null;
        }

        reason = null;
        return new TreeEnsemble(featureCount, roots, depths, feature, threshold, left, value, baseValue) { MeanLeafDepth = leaves == 0 ? 0 : (double)leafDepths / leaves };
    }
}
