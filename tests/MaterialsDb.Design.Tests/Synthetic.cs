using MaterialsDb.Chemistry;
using MaterialsDb.Design.Rounds;
using MaterialsDb.Design.Spec;
using MaterialsDb.Features;
using MaterialsDb.Screening.Scoring;

namespace MaterialsDb.Design.Tests;

/// <summary>
/// Small problems with a known answer: every Fe–Ni–Co–Cr composition on a 5 % grid, scored by a smooth function of
/// the fractions whose maximum is Fe0.4 Ni0.3 Co0.2 Cr0.1. No data files needed.
/// </summary>
internal static class Synthetic
{
    public static readonly byte[] Elements = [26, 28, 27, 24];

    public static ICompositionFeaturizer Featurizer { get; } = new ElementFractionFeaturizer();

    // Flat supply risk: 1,000 for every element but Co (3,000), so an HHI bound can exclude cobalt-rich alloys.
    public static SupplyRisk Supply { get; } = new(
        [.. Enumerable.Range(1, 118).Select(z => z == 27 ? 3000.0 : 1000.0)],
        [.. Enumerable.Range(1, 118).Select(z => z == 27 ? 3000.0 : 1000.0)]);

    public static (CompositionBatch Pool, double[] Truth) Grid()
    {
        var batch = new CompositionBatch(2000);
        var truth = new List<double>();
        for (var ni = 0; ni <= 20; ni++)
        {
            for (var co = 0; co + ni <= 20; co++)
            {
                for (var cr = 0; cr + co + ni <= 20; cr++)
                {
                    var fe = 20 - ni - co - cr;
                    var f = new[] { fe / 20.0, ni / 20.0, co / 20.0, cr / 20.0 };
                    var present = Enumerable.Range(0, 4).Where(i => f[i] > 0).ToArray();
                    batch.Add([.. present.Select(i => Elements[i])], [.. present.Select(i => f[i])]);
                    truth.Add(Value(f[1], f[2], f[3]));
                }
            }
        }

        return (batch, [.. truth]);
    }

    public static double Value(double ni, double co, double cr) => 100 - (400 * (((ni - 0.3) * (ni - 0.3)) + ((co - 0.2) * (co - 0.2)) + (0.5 * (cr - 0.1) * (cr - 0.1))));

    public static double Value(byte[] z, double[] f)
    {
        double Of(byte e) => z.AsSpan().IndexOf(e) is var i and >= 0 ? f[i] : 0;
        return Value(Of(28), Of(27), Of(24));
    }

    public static CampaignSpec Spec(AcquisitionKind acquisition = AcquisitionKind.Ei, int batch = 5, double minDistance = 0, ContinuousSpace? continuous = null, Screening.Spec.Bound? hhi = null, IReadOnlyList<PropertyConstraint>? constraints = null, IReadOnlyList<Objective>? objectives = null) =>
        new("synthetic", 3, null, continuous, objectives ?? [new Objective("strength", Goal.Max)], constraints ?? [], hhi, null, null, new SurrogateSpec(Members: 6, Trees: 40, Featurizer: "fractions"), new AcquisitionSpec(acquisition, 2, batch, minDistance), 1_000_000);

    public static DesignContext Context(CampaignSpec spec, int threads = 0) => new(spec, Featurizer, Supply, threads);

    /// <summary>The first <paramref name="count"/> grid rows in a seeded shuffle, as observations.</summary>
    public static ObservationData Observations(CompositionBatch pool, double[] truth, IEnumerable<int> rows)
    {
        var list = rows.ToList();
        var batch = new CompositionBatch(list.Count);
        foreach (var r in list)
        {
            batch.AddRow(pool, r);
        }

        return new ObservationData(batch, [[.. list.Select(r => truth[r])]]);
    }
}
