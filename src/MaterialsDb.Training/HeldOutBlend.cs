using System.Globalization;
using MaterialsDb.Models.Evaluation;
using MaterialsDb.Models.Packages;

namespace MaterialsDb.Training;

/// <summary>
/// Scores trained packages on the Matbench folds without training anything: member k of a package was trained
/// without fold k, so its predictions for fold k are held-out predictions. With several packages made from the same
/// data, fold k is predicted by the mean of their members k — the cross-validated error of blending the recipes.
/// </summary>
public static class HeldOutBlend
{
    /// <summary>The fold table of the per-fold mean of <paramref name="models"/>' members on <paramref name="data"/>.</summary>
    /// <exception cref="InvalidOptionException">A package was not made from these rows with five members, or reads other features.</exception>
    public static CrossValidation Score(IReadOnlyList<OnnxModel> models, TrainingData data)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(data);
        var rows = data.Targets.Length;
        var folds = MatbenchFolds.TestIndices(rows);
        foreach (var model in models)
        {
            var manifest = model.Manifest;
            if (model.MemberCount != folds.Length || manifest.Preset != data.Featurizer.Id || manifest.Dataset?.Id != data.Dataset?.Id)
            {
                throw new InvalidOptionException(string.Create(CultureInfo.InvariantCulture,
                    $"Package '{manifest.Id}' ({model.MemberCount} members, preset {manifest.Preset}, dataset {manifest.Dataset?.Id ?? "none"}) was not trained on the Matbench folds of {data.Name} with preset {data.Featurizer.Id}; only such packages can be scored on their held-out folds."));
            }
        }

        var width = data.Featurizer.FeatureLabels.Count;
        var metrics = new List<FoldMetrics>();
        for (var k = 0; k < folds.Length; k++)
        {
            var input = new float[folds[k].Length * width];
            for (var i = 0; i < folds[k].Length; i++)
            {
                data.Features.AsSpan(folds[k][i] * width, width).CopyTo(input.AsSpan(i * width));
            }

            var sum = new float[folds[k].Length];
            var member = new float[folds[k].Length];
            foreach (var model in models)
            {
                model.PredictMember(k, input, folds[k].Length, member);
                for (var i = 0; i < sum.Length; i++)
                {
                    sum[i] += member[i] / models.Count;
                }
            }

            metrics.Add(FoldMetrics.Of(k, sum, [.. folds[k].Select(i => data.Targets[i])]));
        }

        return new CrossValidation(metrics);
    }
}
