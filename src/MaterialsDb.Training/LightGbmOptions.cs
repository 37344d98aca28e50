namespace MaterialsDb.Training;

/// <summary>LightGBM settings; every run with the same settings and data gives the same model.</summary>
public sealed record LightGbmOptions
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

    /// <summary>Random seed.</summary>
    public int Seed { get; init; } = 18012019;

    /// <summary>As a name → value map for the manifest.</summary>
    public IReadOnlyDictionary<string, string> ToDictionary() => new Dictionary<string, string>
    {
        ["trainer"] = "ML.NET LightGBM regression",
        ["iterations"] = Iterations.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["leaves"] = Leaves.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["learningRate"] = LearningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        ["minimumRowsPerLeaf"] = MinimumRowsPerLeaf.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["featureFraction"] = FeatureFraction.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        ["l2Regularization"] = L2Regularization.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        ["seed"] = Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
