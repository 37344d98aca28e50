using MaterialsDb.Models.Trees;
using Microsoft.ML;

namespace MaterialsDb.Training;

/// <summary>
/// Trains one LightGBM regressor (the settings of <see cref="LightGbmRegressor"/>) and hands back its trees for the
/// native evaluator directly, without an ONNX round trip: for models refitted many times in one process, such as a
/// design campaign's surrogate.
/// </summary>
public static class LightGbmTrees
{
    /// <summary>Trains on <paramref name="rows"/> (a row may repeat, as in a bootstrap sample).</summary>
    /// <param name="features">Row-major features, <paramref name="width"/> per row.</param>
    /// <param name="width">Features per row.</param>
    /// <param name="targets">One target per row of <paramref name="features"/>.</param>
    /// <param name="rows">Rows to train on.</param>
    /// <param name="options">Trainer settings.</param>
    /// <param name="rowWeight">Optional: each row's weight in the loss (LightGBM's example weights).</param>
    public static TreeEnsemble Fit(float[] features, int width, float[] targets, int[] rows, LightGbmOptions options, Func<int, float>? rowWeight = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        var ml = new MLContext(seed: options.Seed);
        var model = ml.Regression.Trainers.LightGbm(LightGbmRegressor.TrainerSettings(options, weighted: rowWeight is not null))
            .Fit(MlRows.Labelled(ml, features, width, rows, r => targets[r], rowWeight));
        var ensemble = model.Model.TrainedTreeEnsemble;
        var trees = new List<BinaryTree>(ensemble.Trees.Count);
        for (var t = 0; t < ensemble.Trees.Count; t++)
        {
            var tree = ensemble.Trees[t];
            var weight = ensemble.TreeWeights[t];
            trees.Add(new BinaryTree(
                [.. tree.LeftChild],
                [.. tree.RightChild],
                [.. tree.NumericalSplitFeatureIndexes],
                [.. tree.NumericalSplitThresholds],
                [.. tree.LeafValues.Select(v => (float)(v * weight))]));
        }

        return BinaryTrees.Build(width, trees, (float)ensemble.Bias);
    }
}
