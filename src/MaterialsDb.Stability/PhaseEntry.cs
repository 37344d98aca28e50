using MaterialsDb.Chemistry;

namespace MaterialsDb.Stability;

/// <summary>A known phase: identifier, composition, formation energy per atom (eV/atom) and where it comes from.</summary>
public sealed record PhaseEntry(string Id, Composition Composition, double EFormPerAtomEv, string Source)
{
    /// <summary>Reduced formula of the composition.</summary>
    public string ReducedFormula => Composition.ReducedFormula;
}
