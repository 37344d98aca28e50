namespace MaterialsDb.Stability;

/// <summary>One phase of a decomposition and its share of the atoms.</summary>
public readonly record struct DecompositionPart(PhaseEntry Phase, double Fraction);

/// <summary>
/// Where a composition stands relative to the hull: the hull energy at its composition, its energy above the hull
/// (negative below, like pymatgen's <c>allow_negative=True</c>), and the stable phases it decomposes into, with atom
/// fractions summing to 1, largest first.
/// </summary>
public sealed record StabilityResult(double HullEnergyEvPerAtom, double EAboveHullEvPerAtom, IReadOnlyList<DecompositionPart> Decomposition)
{
    /// <summary>On or below the hull within <see cref="PhaseDiagram.StabilityTolerance"/>.</summary>
    public bool IsStable => EAboveHullEvPerAtom <= PhaseDiagram.StabilityTolerance;
}
