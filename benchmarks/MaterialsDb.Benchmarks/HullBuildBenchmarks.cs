using BenchmarkDotNet.Attributes;
using MaterialsDb.Chemistry;
using MaterialsDb.Stability;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// Building the hull of one chemical system from mp_e_form (entries already selected), for 3 to 6 elements.
/// The baseline is the same build of the ternary.
/// </summary>
public class HullBuildBenchmarks
{
    private PhaseEntry[] _entries = [];
    private int[] _system = [];

    [Params("Fe-Li-O", "Co-Li-Mn-O", "Mo-S-Se-Te-W", "Ba-Ca-Cu-O-Sr-Y")]
    public string ChemSys { get; set; } = "Fe-Li-O";

    [GlobalSetup]
    public void Setup()
    {
        var set = BenchmarkData.MpEFormReference();
        _system = [.. ChemSys.Split('-').Select(s => PeriodicTable.FromSymbol(s).Z)];
        _entries = [.. set.InSystem(_system)];
        var diagram = PhaseDiagram.Build(_system, _entries);
        Console.WriteLine($"// {ChemSys}: {_entries.Length} entries, {diagram.StableEntries.Count} stable, {diagram.FacetCount} facets");
    }

    [Benchmark(Description = "PhaseDiagram.Build")]
    public int Build() => PhaseDiagram.Build(_system, _entries).FacetCount;
}
