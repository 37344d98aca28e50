using System.Globalization;
using MaterialsDb.Training.Attention;

namespace MaterialsDb.Training;

/// <summary>Reads back the trainer settings a package's manifest records, so a shipped model's recipe can be re-run.</summary>
public static class TrainerRecipes
{
    /// <summary>The settings of <see cref="TrainerOptions.ToDictionary"/>'s output (attention when it names message layers, an MLP when it names hidden layers).</summary>
    /// <exception cref="InvalidOptionException">A value is missing or not a number; the message names it.</exception>
    public static TrainerOptions FromHyperparameters(IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        TrainerOptions options = values.ContainsKey("messageLayers")
            ? AttentionOptions.Around(Mlp(values), Int(values, "width"), Int(values, "messageLayers"), Text(values, "embedding"))
            : values.ContainsKey("hidden")
            ? Mlp(values)
            : new LightGbmOptions
            {
                Iterations = Int(values, "iterations"),
                Leaves = Int(values, "leaves"),
                LearningRate = Double(values, "learningRate"),
                MinimumRowsPerLeaf = Int(values, "minimumRowsPerLeaf"),
                FeatureFraction = Double(values, "featureFraction"),
                L2Regularization = Double(values, "l2Regularization"),
                ZeroGate = values.GetValueOrDefault("zeroGate") == "true",
                LogTarget = values.GetValueOrDefault("logTarget") == "true",
                RobustPasses = values.ContainsKey("robustPasses") ? Int(values, "robustPasses") : 0,
                RobustDelta = values.ContainsKey("robustDelta") ? Double(values, "robustDelta") : new LightGbmOptions().RobustDelta,
                Seed = Int(values, "seed"),
            };
        options.Validate();
        return options;
    }

    private static MlpOptions Mlp(IReadOnlyDictionary<string, string> values) => new()
    {
        Hidden = [.. Text(values, "hidden").Split(',').Select(w => Int(values, "hidden", w))],
        Epochs = Int(values, "epochs"),
        BatchSize = Int(values, "batchSize"),
        LearningRate = Double(values, "learningRate"),
        WeightDecay = Double(values, "weightDecay"),
        Seed = Int(values, "seed"),
    };

    private static string Text(IReadOnlyDictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var text) ? text : throw new InvalidOptionException($"The manifest's hyperparameters have no '{key}'.");

    private static int Int(IReadOnlyDictionary<string, string> values, string key, string? text = null) =>
        int.TryParse(text ?? Text(values, key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new InvalidOptionException($"The manifest's hyperparameter '{key}' is not an integer: '{text ?? values[key]}'.");

    private static double Double(IReadOnlyDictionary<string, string> values, string key) =>
        double.TryParse(Text(values, key), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new InvalidOptionException($"The manifest's hyperparameter '{key}' is not a number: '{values[key]}'.");
}
