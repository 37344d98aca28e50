namespace MaterialsDb.Training;

/// <summary>LightGBM settings; every run with the same settings and data gives the same model.</summary>
public sealed record LightGbmOptions : TrainerOptions
{
    /// <summary>Boosting rounds (trees).</summary>
    public int Iterations { get; init; } = 400;

    /// <summary>Leaves per tree.</summary>
    public int Leaves { get; init; } = 63;

    /// <summary>Shrinkage per round.</summary>
    public double LearningRate { get; init; } = 0.05;

    /// <summary>Minimum rows in a leaf.</summary>
    public int MinimumRowsPerLeaf { get; init; } = 10;

    /// <summary>Share of features each tree may split on (column subsampling; 1 = all).</summary>
    public double FeatureFraction { get; init; } = 1.0;

    /// <summary>L2 penalty on leaf values.</summary>
    public double L2Regularization { get; init; }

    /// <summary>
    /// Gate the regressor with a classifier for target ≠ 0 (see <see cref="GatedRegressor"/>): for targets where
    /// exact zeros are common, like band gaps of metals.
    /// </summary>
    public bool ZeroGate { get; init; }

    /// <summary>
    /// Reweighted passes after the first (0 = plain least squares). Each pass weights a training row by
    /// 1 / max(|residual of the previous pass|, <see cref="RobustDelta"/>): iteratively reweighted least squares towards
    /// an absolute-error fit, which is what MAE rewards (see <see cref="RobustRegressor"/>).
    /// </summary>
    public int RobustPasses { get; init; }

    /// <summary>Residual (target units) below which rows are weighted alike in robust passes.</summary>
    public double RobustDelta { get; init; } = 0.1;

    /// <summary>Fit ln(target) and predict exp of it (see <see cref="LogTarget"/>): for positive, heavy-tailed targets.</summary>
    public bool LogTarget { get; init; }

    /// <inheritdoc/>
    public override string Trainer => "lightgbm";

    /// <inheritdoc/>
    public override void Validate()
    {
        if (Iterations < 1 || Leaves < 2 || !(LearningRate > 0 && LearningRate <= 1) || MinimumRowsPerLeaf < 1 || !(FeatureFraction > 0 && FeatureFraction <= 1))
        {
            throw new InvalidOptionException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Need --iterations ≥ 1, --leaves ≥ 2, 0 < --learning-rate ≤ 1, --min-leaf ≥ 1 and 0 < --feature-fraction ≤ 1; got {Iterations}, {Leaves}, {LearningRate}, {MinimumRowsPerLeaf}, {FeatureFraction}."));
        }

        if (LogTarget && ZeroGate)
        {
            throw new InvalidOptionException("--log-target and --zero-gate exclude each other: a logarithm has no zero.");
        }

        if (RobustPasses is < 0 or > 10 || !(RobustDelta > 0) || !double.IsFinite(RobustDelta))
        {
            throw new InvalidOptionException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Need 0 ≤ --robust-passes ≤ 10 and a finite --robust-delta > 0; got {RobustPasses}, {RobustDelta}."));
        }
    }

    /// <inheritdoc/>
    public override string CommandLine() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"--iterations {Iterations} --leaves {Leaves} --learning-rate {LearningRate} --min-leaf {MinimumRowsPerLeaf} --feature-fraction {FeatureFraction}{(ZeroGate ? " --zero-gate" : string.Empty)}{(RobustPasses > 0 ? $" --robust-passes {RobustPasses} --robust-delta {RobustDelta}" : string.Empty)}{(LogTarget ? " --log-target" : string.Empty)}");

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, string> ToDictionary()
    {
        var values = new Dictionary<string, string>
        {
            ["trainer"] = ZeroGate ? "ML.NET LightGBM classifier P(target ≠ 0) gating an ML.NET LightGBM regression trained on the non-zero rows" : "ML.NET LightGBM regression",
            ["iterations"] = Iterations.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["leaves"] = Leaves.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["learningRate"] = LearningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["minimumRowsPerLeaf"] = MinimumRowsPerLeaf.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["featureFraction"] = FeatureFraction.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["l2Regularization"] = L2Regularization.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["seed"] = Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (ZeroGate)
        {
            values["zeroGate"] = "true";
        }

        if (LogTarget)
        {
            values["logTarget"] = "true";
        }

        if (RobustPasses > 0)
        {
            values["robustPasses"] = RobustPasses.ToString(System.Globalization.CultureInfo.InvariantCulture);
            values["robustDelta"] = RobustDelta.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        }

        return values;
    }
}
