using MaterialsDb.Chemistry;
using MaterialsDb.Models.Packages;
using MaterialsDb.Screening.Enumeration;
using MaterialsDb.Screening.Resources;
using MaterialsDb.Screening.Spec;

namespace MaterialsDb.Screening.Engine;

/// <summary>
/// The cascade a spec compiles to: which models run in which order (those whose result is constrained first, so the
/// expensive stages see only survivors), where every quantity goes, and the stages counted and timed.
/// </summary>
public sealed class ScreeningPlan
{
    /// <summary>One model stage.</summary>
    public sealed record ModelStage(string Id, OnnxModel Model, string Preset, int Mean, int Std, bool IsStability);

    /// <summary>Compiles <paramref name="spec"/> against loaded <paramref name="resources"/>.</summary>
    public ScreeningPlan(ScreeningSpec spec, ScreeningResources resources)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(resources);
        Spec = spec;
        Resources = resources;
        Quantities = new Quantities(spec);
        Constraints = new ConstraintSet(spec, Quantities);
        Ranking = new Ranking(spec, Quantities);
        foreach (var z in spec.ExcludeElements)
        {
            Excluded[z] = true;
        }

        if (spec.Enumerate is { RequireAny.Count: > 0 } e && e.RequireAny.All(z => Excluded[z]))
        {
            throw new SpecException(["candidates.enumerate.require_any: every element of it is in exclude_elements"]);
        }

        var stages = new List<ModelStage>();
        if (spec.Stability is { } s)
        {
            var m = resources.Models[s.Model];
            stages.Add(new ModelStage(s.Model, m, m.Manifest.Preset, Quantities[s.Model], Quantities[s.Model + "_std"], true));
        }

        foreach (var id in spec.Predict.Distinct().Where(id => id != spec.Stability?.Model))
        {
            var m = resources.Models[id];
            stages.Add(new ModelStage(id, m, m.Manifest.Preset, Quantities[id], Quantities[id + "_std"], false));
        }

        // Constrained stages first (stable sort keeps the spec's order otherwise).
        bool Constrained(ModelStage st) => Constraints.Constrains(st.Mean) || (st.IsStability && Constraints.Constrains(Quantities[Quantities.EAboveHull]));
        Models = [.. stages.OrderBy(st => Constrained(st) ? 0 : 1)];
        Presets = [.. Models.Select(m => m.Preset).Distinct()];
        StageNames = ["candidates", "element filters", "supply risk", "features", .. Models.SelectMany(m => m.IsStability ? new[] { m.Id, "hull" } : [m.Id])];
    }

    /// <summary>The spec.</summary>
    public ScreeningSpec Spec { get; }

    /// <summary>Loaded models, hulls, tables.</summary>
    public ScreeningResources Resources { get; }

    /// <summary>Per-candidate quantities.</summary>
    public Quantities Quantities { get; }

    /// <summary>Bound constraints.</summary>
    public ConstraintSet Constraints { get; }

    /// <summary>Result order.</summary>
    public Ranking Ranking { get; }

    /// <summary>Excluded elements by Z.</summary>
    public bool[] Excluded { get; } = new bool[PeriodicTable.MaxZ + 1];

    /// <summary>Model stages in run order.</summary>
    public IReadOnlyList<ModelStage> Models { get; }

    /// <summary>Feature presets the models need.</summary>
    public IReadOnlyList<string> Presets { get; }

    /// <summary>Stages counted and timed, in cascade order: each count is the candidates that passed it.</summary>
    public IReadOnlyList<string> StageNames { get; }

    /// <summary>The enumerated space (palette without the excluded elements), or null for a list.</summary>
    public CandidateSpace? Space => Spec.Enumerate is not { } e ? null : new CandidateSpace
    {
        Palette = [.. e.Elements.Where(z => !Excluded[z])],
        Require = e.Require,
        RequireAny = [.. e.RequireAny.Where(z => !Excluded[z])],
        MinElements = e.MinElements,
        MaxElements = e.MaxElements,
        MaxCoefficient = e.MaxCoefficient,
        MaxAtoms = e.MaxAtoms,
        ChargeNeutral = e.ChargeNeutral,
        ElectronegativityTest = e.ElectronegativityTest,
        OxidationStates = Resources.OxidationStates,
    };
}
