using BenchmarkDotNet.Attributes;
using MaterialsDb.Chemistry;
using MaterialsDb.Screening.Enumeration;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// SMACT-style enumeration over the 14-element palette of shared/reference/smact_dev.json (2 and 3 elements,
/// coefficients 1..6): charge neutrality alone (baseline) and with the electronegativity test, for both sets.
/// SMACT itself took 10.4 s / 3.4 s (icsd24) and 8.2 s / 2.8 s (smact14) on this machine, per that file.
/// </summary>
public class SmactEnumerationBenchmarks
{
    private static readonly string[] Palette = ["Cs", "Rb", "K", "Sn", "Pb", "Ge", "Bi", "Sb", "I", "Br", "Cl", "S", "Se", "O"];
    private CandidateSpace _space = null!;

    [Params("icsd24", "smact14")]
    public string Set { get; set; } = "icsd24";

    [GlobalSetup]
    public void Setup()
    {
        _space = new CandidateSpace
        {
            Palette = [.. Palette.Select(s => PeriodicTable.FromSymbol(s).Z)],
            MinElements = 2,
            MaxElements = 3,
            MaxCoefficient = 6,
            OxidationStates = BenchmarkData.SmactStates(Set == "icsd24" ? "oxidation_states_icsd24_filtered.txt" : "oxidation_states.txt", Set),
        };
    }

    [Benchmark(Baseline = true, Description = "charge neutrality")]
    public long Neutral() => CandidateEnumerator.Enumerate(_space, static (_, _) => { });

    [Benchmark(Description = "charge neutrality + electronegativity")]
    public long NeutralAndPauling() => CandidateEnumerator.Enumerate(_space with { ElectronegativityTest = true }, static (_, _) => { });
}
