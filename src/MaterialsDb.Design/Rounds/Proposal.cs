namespace MaterialsDb.Design.Rounds;

/// <summary>One proposed composition of a round.</summary>
/// <param name="Rank">1 for the first pick of the batch.</param>
/// <param name="Formula">The reduced formula (discrete) or atomic-fraction formula (continuous).</param>
/// <param name="Elements">Atomic numbers.</param>
/// <param name="Fractions">Atomic fractions, as <paramref name="Elements"/>.</param>
/// <param name="BasisFractions">In a continuous space: the fractions in the spec's basis (weight or atomic) and unit.</param>
/// <param name="Mean">Predicted mean per modelled property (the spec's order).</param>
/// <param name="Std">Calibrated σ per modelled property.</param>
/// <param name="ConstraintProbability">P(every property constraint holds) under the surrogates.</param>
/// <param name="Acquisition">The acquisition value that chose it.</param>
/// <param name="HhiProduction">Mass-weighted HHI of production.</param>
/// <param name="HhiReserve">Mass-weighted HHI of reserves.</param>
/// <param name="Reason">Why it was chosen, in words.</param>
/// <param name="PoolRow">Its row in a discrete pool, else -1.</param>
public sealed record Proposal(
    int Rank,
    string Formula,
    byte[] Elements,
    double[] Fractions,
    double[]? BasisFractions,
    double[] Mean,
    double[] Std,
    double ConstraintProbability,
    double Acquisition,
    double HhiProduction,
    double HhiReserve,
    string Reason,
    int PoolRow);

/// <summary>What one round produced.</summary>
/// <param name="Proposals">The batch, best first.</param>
/// <param name="Calibration">σ scale per modelled property (see <see cref="Surrogate.ISurrogate.Calibration"/>).</param>
/// <param name="Scored">Candidates scored by the acquisition function.</param>
/// <param name="Feasible">Of those, candidates that met every constraint and were not observed or pending.</param>
/// <param name="FitSeconds">Time fitting the surrogates.</param>
/// <param name="ScoreSeconds">Time scoring and picking.</param>
public sealed record RoundResult(IReadOnlyList<Proposal> Proposals, IReadOnlyList<double> Calibration, long Scored, long Feasible, double FitSeconds, double ScoreSeconds);
