using System.Globalization;

namespace MaterialsDb.Training;

/// <summary>
/// Settings of a multilayer perceptron member (<see cref="MlpRegressor"/>): fully connected ReLU layers on the
/// standardized features, trained for absolute error with AdamW and a cosine learning-rate schedule.
/// </summary>
public sealed record MlpOptions : TrainerOptions
{
    /// <summary>Widths of the hidden layers, input side first.</summary>
    public IReadOnlyList<int> Hidden { get; init; } = [256, 128, 64];

    /// <summary>Passes over the training rows.</summary>
    public int Epochs { get; init; } = 60;

    /// <summary>Rows per optimizer step.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Peak learning rate (the schedule decays it to 0 along a cosine).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Decoupled weight decay per step, relative to the learning rate (AdamW); 0 = none.</summary>
    public double WeightDecay { get; init; }

    /// <inheritdoc/>
    public override string Trainer => "mlp";

    /// <inheritdoc/>
    public override string CommandLine() => string.Create(CultureInfo.InvariantCulture,
        $"--trainer mlp --hidden {string.Join(",", Hidden)} --epochs {Epochs} --batch-size {BatchSize} --learning-rate {LearningRate} --weight-decay {WeightDecay}");

    /// <inheritdoc/>
    public override void Validate()
    {
        if (Hidden.Count is < 1 or > 8 || Hidden.Any(h => h is < 1 or > 4096))
        {
            throw new InvalidOptionException($"Need 1 to 8 hidden layers of 1 to 4096 units; got [{string.Join(",", Hidden)}].");
        }

        if (Epochs is < 1 or > 10_000 || BatchSize is < 1 or > 65_536)
        {
            throw new InvalidOptionException(string.Create(CultureInfo.InvariantCulture, $"Need 1 ≤ epochs ≤ 10000 and 1 ≤ batch size ≤ 65536; got {Epochs}, {BatchSize}."));
        }

        if (!(LearningRate > 0 && LearningRate <= 1) || !(WeightDecay >= 0 && WeightDecay <= 1))
        {
            throw new InvalidOptionException(string.Create(CultureInfo.InvariantCulture, $"Need 0 < learning rate ≤ 1 and 0 ≤ weight decay ≤ 1; got {LearningRate}, {WeightDecay}."));
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, string> ToDictionary() => new Dictionary<string, string>
    {
        ["trainer"] = "MaterialsDb MLP (ReLU, L1 loss, AdamW, cosine schedule)",
        ["hidden"] = string.Join(",", Hidden),
        ["epochs"] = Epochs.ToString(CultureInfo.InvariantCulture),
        ["batchSize"] = BatchSize.ToString(CultureInfo.InvariantCulture),
        ["learningRate"] = LearningRate.ToString("R", CultureInfo.InvariantCulture),
        ["weightDecay"] = WeightDecay.ToString("R", CultureInfo.InvariantCulture),
        ["seed"] = Seed.ToString(CultureInfo.InvariantCulture),
    };
}
