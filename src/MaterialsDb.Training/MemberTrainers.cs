using MaterialsDb.Training.Attention;

namespace MaterialsDb.Training;

/// <summary>
/// Trains one ensemble member on a fold's training rows and predicts its held-out rows. Every trainer writes the same
/// package format (an ONNX graph per member); <see cref="EnsembleTrainer"/> does the rest (folds, metrics,
/// calibration, checks).
/// </summary>
public interface IMemberTrainer
{
    /// <summary>Name on the command line (<c>--trainer lightgbm</c>).</summary>
    string Name { get; }

    /// <summary>One line for help texts.</summary>
    string Description { get; }

    /// <summary>A fresh copy of this trainer's default settings.</summary>
    TrainerOptions Defaults { get; }

    /// <summary>Trains a member on <paramref name="train"/> and predicts <paramref name="predict"/>.</summary>
    MemberFit Fit(float[] features, int width, float[] targets, int[] train, int[] predict, TrainerOptions options);
}

/// <summary>The registry of member trainers.</summary>
public static class MemberTrainers
{
    /// <summary>Every trainer.</summary>
    public static IReadOnlyList<IMemberTrainer> All { get; } = [new LightGbm(), new Mlp(), new AttentionTrainer()];

    /// <summary>Trainer names.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(t => t.Name)];

    /// <summary>The trainer of a set of settings.</summary>
    /// <exception cref="ArgumentException">No trainer has this name (a bug: settings name their trainer).</exception>
    public static IMemberTrainer For(TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return All.FirstOrDefault(t => t.Name == options.Trainer) ?? throw new ArgumentException($"No member trainer named '{options.Trainer}'.", nameof(options));
    }

    private sealed class LightGbm : IMemberTrainer
    {
        public string Name => "lightgbm";

        public string Description => "gradient-boosted trees (ML.NET LightGBM), optionally gated for exact zeros or refit for absolute error";

        public TrainerOptions Defaults => new LightGbmOptions();

        public MemberFit Fit(float[] features, int width, float[] targets, int[] train, int[] predict, TrainerOptions options)
        {
            var trees = (LightGbmOptions)options;
            if (trees.ZeroGate)
            {
                return GatedRegressor.Train(features, width, targets, train, predict, trees);
            }

            if (trees.LogTarget)
            {
                return LogTarget.Fit(targets, train, logs => RobustRegressor.Train(features, width, logs, train, predict, trees));
            }

            var (onnx, predictions) = RobustRegressor.Train(features, width, targets, train, predict, trees);
            return new MemberFit(onnx, predictions);
        }
    }

    private sealed class Mlp : IMemberTrainer
    {
        public string Name => "mlp";

        public string Description => "a ReLU network trained for absolute error (MaterialsDb's own trainer)";

        public TrainerOptions Defaults => new MlpOptions();

        public MemberFit Fit(float[] features, int width, float[] targets, int[] train, int[] predict, TrainerOptions options) =>
            MlpRegressor.Train(features, width, targets, train, predict, (MlpOptions)options);
    }

    private sealed class AttentionTrainer : IMemberTrainer
    {
        public string Name => "attention";

        public string Description => "Roost-style attention over each composition's elements from mat2vec embeddings, with the descriptors in its head (MaterialsDb's own trainer; needs a *-fractions preset)";

        public TrainerOptions Defaults => new AttentionOptions();

        public MemberFit Fit(float[] features, int width, float[] targets, int[] train, int[] predict, TrainerOptions options) =>
            AttentionRegressor.Train(features, width, targets, train, predict, (AttentionOptions)options);
    }
}
