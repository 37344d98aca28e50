using MaterialsDb.Models.Packages;
using MaterialsDb.Training.Classification;

namespace MaterialsDb.Training;

/// <summary>What training measured: cross-validation, uncertainty calibration, time, single-thread inference speed.</summary>
public sealed record TrainingReport(CrossValidation CrossValidation, UncertaintyCalibration? Calibration, TimeSpan TrainingTime, double RowsPerSecond, int Rows, InferenceEngine Engine)
{
    /// <summary>A classifier's cross-validation (ROC-AUC and the rest); null for a regressor.</summary>
    public ClassificationValidation? Classification { get; init; }

    /// <summary>A classifier's probability calibration and how it measured.</summary>
    public ProbabilityCalibrationFit? ProbabilityCalibration { get; init; }

    /// <summary>The package's errors on the dataset's own test split (a regressor trained on a split dataset).</summary>
    public FoldMetrics? Test { get; init; }

    /// <summary>Test-split MAE of the training rows' median as every prediction (the trivial baseline).</summary>
    public double TestMedianBaselineMae { get; init; }

    /// <summary>Share of test-split errors within the reported 1σ.</summary>
    public double TestWithin1Sigma { get; init; }

    /// <summary>Share of test-split errors within the reported 2σ.</summary>
    public double TestWithin2Sigma { get; init; }

    /// <summary>A classifier's metrics on the dataset's own test split.</summary>
    public ClassificationMetrics? ClassificationTest { get; init; }
}
