namespace MaterialsDb.Training.Discovery;

/// <summary>One way of predicting stability, scored on the held-out rows.</summary>
/// <param name="Method">What predicted: the model, the trivial baseline, the ceiling, a direct model.</param>
/// <param name="FormationMae">MAE of the formation energy it used (NaN when it predicts stability directly; 0 for the ceiling).</param>
/// <param name="StabilityMae">MAE of the energy above the hull (or of ΔHd for the CritExam split).</param>
/// <param name="Classes">Stable/unstable classification at each threshold.</param>
public sealed record MethodResult(string Method, double FormationMae, double StabilityMae, IReadOnlyList<StabilityClassification> Classes);

/// <summary>
/// How well the probability of stability P(E_hull ≤ 0) = Φ(−Ê_hull / σ) does, with σ = ensemble spread × the scale
/// fitted on the even held-out rows; every figure is measured on the odd ones.
/// </summary>
/// <param name="Rows">Rows it was measured on.</param>
/// <param name="Brier">Mean squared difference between the probability and the outcome (0 perfect; prevalence × (1 − prevalence) for a constant).</param>
/// <param name="CalibrationError">Expected calibration error over ten equal-width probability bins.</param>
/// <param name="TopN">How many of the best-ranked rows the precisions below look at.</param>
/// <param name="TopPrecisionByEnergy">Share stable among the <see cref="TopN"/> lowest predicted energies above the hull.</param>
/// <param name="TopPrecisionByProbability">Share stable among the <see cref="TopN"/> highest probabilities of stability.</param>
public sealed record ProbabilityReport(int Rows, double Brier, double CalibrationError, int TopN, double TopPrecisionByEnergy, double TopPrecisionByProbability);

/// <summary>One protocol's results.</summary>
/// <param name="Name">random, systems or critexam.</param>
/// <param name="Description">What was held out and what truth is, in one sentence.</param>
/// <param name="TrainingRows">Rows the models and the training-only hull saw.</param>
/// <param name="HeldOutRows">Rows scored.</param>
/// <param name="StabilityQuantity">"E_hull" or "ΔHd".</param>
/// <param name="Methods">The model first, then the others.</param>
/// <param name="FormationCalibration">The ensemble's formation-energy σ on the held-out rows.</param>
/// <param name="StabilityCalibration">The same spread as σ of the stability quantity: the scale screening should use for <c>e_above_hull_std</c>.</param>
/// <param name="Probability">The probability of stability built on that σ.</param>
/// <param name="HullCheck">For CritExam: largest |ΔHd computed by MaterialsDb's hull from all DFT energies − ΔHd of the file|.</param>
public sealed record ProtocolResult(string Name, string Description, int TrainingRows, int HeldOutRows, string StabilityQuantity, IReadOnlyList<MethodResult> Methods, UncertaintyCalibration FormationCalibration, UncertaintyCalibration StabilityCalibration, ProbabilityReport Probability, double? HullCheck = null);
