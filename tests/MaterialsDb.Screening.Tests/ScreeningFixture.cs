using MaterialsDb.Models.Packages;
using MaterialsDb.Screening.Engine;
using MaterialsDb.Screening.Resources;
using MaterialsDb.Screening.Spec;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Screening.Tests;

/// <summary>Loads the shipped models and the mp_e_form hulls once for the engine tests.</summary>
public sealed class ScreeningFixture : IDisposable
{
    public const string Spec = """
        name: small-test
        candidates:
          enumerate:
            elements: [Li, Na, Mg, O, S, Cl, Fe]
            n_elements: [2, 3]
            max_coefficient: 4
            charge_neutral: true
        exclude_elements: [Na]
        predict: [band-gap-pbe]
        stability: {reference: mp_e_form, model: formation-energy}
        constraints:
          e_above_hull: {max: 0.3}
          band-gap-pbe: {min: 1.0}
          hhi_production: {max: 3000}
        rank:
          by: [-band-gap-pbe]
        top: 40
        """;

    public ScreeningFixture()
    {
        Registry = new ModelRegistry(Path.Combine(SharedFiles.RepositoryRoot, "models"));
        Resources = ScreeningResources.LoadAsync(SpecParser.Parse(Spec), SharedFiles.MirrorStore(), Registry).GetAwaiter().GetResult();
    }

    public ModelRegistry Registry { get; }

    /// <summary>Resources for <see cref="Spec"/>: both models, icsd24, the mp_e_form hulls.</summary>
    public ScreeningResources Resources { get; }

    public ScreeningPlan Plan(string spec) => new(SpecParser.Parse(spec), Resources);

    public void Dispose() => Resources.Dispose();
}
