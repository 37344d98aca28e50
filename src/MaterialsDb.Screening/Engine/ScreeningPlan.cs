using MaterialsDb.Chemistry;
using MaterialsDb.Models.Packages;
using MaterialsDb.Screening.Enumeration;
using MaterialsDb.Screening.Resources;
using MaterialsDb.Screening.Spec;
using MaterialsDb.Stability;

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
        Hulls = resources.Hulls;
        Quantities = new Quantities(spec);
        if (spec.Stability is { } stability && resources.Models.TryGetValue(stability.Model, out var formation) && formation.Manifest.IsClassifier)
        {
            throw new SpecException([$"stability.model: '{stability.Model}' is a classifier; the hull needs a formation-energy regressor"]);
        }

        Constraints = new ConstraintSet(spec, Quantities, resources.Models.Where(m => m.Value.Manifest.IsClassifier).Select(m => m.Key).ToHashSet());
        Ranking = new Ranking(spec, Quantities);
        foreach (var z in spec.ExcludeElements)
        {
            Excluded[z] = true;
        }

        if (spec.Enumerate is { RequireAny.Count: > 0 } e && e.RequireAny.All(z => Excluded[z]))
        {
            throw new SpecException(["candidates.enumerate.require_any: every element of it is in exclude_elements"]);
        }

        Models = [.. ModelOrder(spec, Quantities, Constraints).Select(m =>
        {
            var model = resources.Models[m.Id];
            return new ModelStage(m.Id, model, model.Manifest.Preset, Quantities[m.Id], Quantities[m.Id + "_std"], m.IsStability);
        })];
        Presets = [.. Models.Select(m => m.Preset).Distinct()];
        if (Models.FirstOrDefault(m => m.IsStability)?.Model.Manifest is { StabilityUncertaintyScale: { } hull } manifest)
        {
            StabilityStdFactor = (float)(hull / (manifest.UncertaintyScale ?? 1));
        }

        StageNames = StageNamesOf(Models.Select(m => (m.Id, m.IsStability)));
    }

    /// <summary>
    /// The stages <paramref name="spec"/> compiles to, from the spec alone (no model loaded): what a service reports
    /// for a screening whatever happens to its models later.
    /// </summary>
    public static IReadOnlyList<string> StageNamesFor(ScreeningSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var quantities = new Quantities(spec);
        return StageNamesOf(ModelOrder(spec, quantities, new ConstraintSet(spec, quantities)));
    }

    private static string[] StageNamesOf(IEnumerable<(string Id, bool IsStability)> models) =>
        ["candidates", "element filters", "supply risk", "features", .. models.SelectMany(m => m.IsStability ? new[] { m.Id, "hull" } : [m.Id])];

    // The stability model first, then the predicted ones in the spec's order; constrained stages move ahead (a stable
    // sort keeps that order otherwise), so the expensive stages see only survivors.
    private static List<(string Id, bool IsStability)> ModelOrder(ScreeningSpec spec, Quantities quantities, ConstraintSet constraints)
    {
        var stages = new List<(string Id, bool IsStability)>();
        if (spec.Stability is { } s)
        {
            stages.Add((s.Model, true));
        }

        stages.AddRange(spec.Predict.Distinct().Where(id => id != spec.Stability?.Model).Select(id => (id, false)));
        bool Constrained((string Id, bool IsStability) st) => constraints.Constrains(quantities[st.Id]) || (st.IsStability && constraints.Constrains(quantities[Quantities.EAboveHull]));
        return [.. stages.OrderBy(st => Constrained(st) ? 0 : 1)];
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

    /// <summary>Source of the phases a self-consistent screening adds to the reference: its own candidates.</summary>
    public const string CandidateSource = "candidate";

    /// <summary>The hulls stability is computed on: the reference's, or (second pass of a self-consistent screening) the reference plus the candidates below it.</summary>
    public PhaseDiagramCache? Hulls { get; private set; }

    /// <summary>True on the second pass of a self-consistent screening: hulls include candidates, each judged without itself.</summary>
    public bool WithCandidates { get; private set; }

    /// <summary>First pass of a self-consistent screening: receives every candidate predicted below the reference hull.</summary>
    internal System.Collections.Concurrent.ConcurrentBag<(long Sequence, byte[] Z, double[] Amounts, double EForm)>? BelowHull { get; private set; }

    /// <summary>A copy that records the candidates below the reference hull.</summary>
    internal ScreeningPlan Recording()
    {
        var copy = (ScreeningPlan)MemberwiseClone();
        copy.BelowHull = [];
        return copy;
    }

    /// <summary>A copy that computes stability on <paramref name="hulls"/> (the reference plus candidates).</summary>
    internal ScreeningPlan OnCandidateHulls(PhaseDiagramCache hulls)
    {
        var copy = (ScreeningPlan)MemberwiseClone();
        copy.Hulls = hulls;
        copy.WithCandidates = true;
        copy.BelowHull = null;
        return copy;
    }

    /// <summary>
    /// The hull a candidate of <paramref name="system"/> is judged on. With candidates on the hulls, a candidate that
    /// is a vertex is judged against the known phases and the other candidates that are vertices: it never competes
    /// with itself, a known phase it covered counts again, and a candidate above the combined hull stays out.
    /// </summary>
    public PhaseDiagram HullFor(int[] system, Composition composition)
    {
        ArgumentNullException.ThrowIfNull(composition);
        var diagram = Hulls!.For(system);
        if (!WithCandidates)
        {
            return diagram;
        }

        var formula = composition.ReducedFormula;
        bool Self(PhaseEntry e) => e.Source == CandidateSource && e.Composition.ReducedFormula == formula;
        if (!diagram.StableEntries.Any(Self))
        {
            return diagram;
        }

        // Without a vertex, the hull over its star is spanned by its neighbours (the other vertices of its facets) and
        // the known phases under that star: a few dozen points instead of every vertex of the system.
        var known = Resources.Hulls!.For(system).StableEntries;
        var neighbours = diagram.Facets.Where(f => f.Any(Self)).SelectMany(f => f).Where(e => !Self(e));
        return PhaseDiagram.Build(system, known.Concat(neighbours).Where(e => e.Source != PhaseDiagram.ElementalReferenceSource).Distinct());
    }

    /// <summary>e_above_hull_std ÷ the formation energy's σ: the stability model's <see cref="ModelManifest.StabilityUncertaintyScale"/> over its <see cref="ModelManifest.UncertaintyScale"/>, else 1.</summary>
    public float StabilityStdFactor { get; } = 1;

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
