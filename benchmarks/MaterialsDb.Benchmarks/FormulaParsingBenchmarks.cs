using BenchmarkDotNet.Attributes;
using MaterialsDb.Chemistry;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// Parsing the 132,752 formulas of mp_e_form. Times are per formula (OperationsPerInvoke), so formulas/s = 1e9 / Mean[ns].
/// The baseline is pymatgen's parsing algorithm (iterative regex group expansion) written in C#, run in the same process.
/// </summary>
[MemoryDiagnoser]
public class FormulaParsingBenchmarks
{
    private const int Formulas = 132_752;
    private string[] _formulas = [];
    private CompositionBatch _batch = new();

    [GlobalSetup]
    public void Setup()
    {
        _formulas = BenchmarkData.MpEFormFormulas();
        if (_formulas.Length != Formulas)
        {
            throw new InvalidOperationException($"Expected {Formulas} formulas, read {_formulas.Length}.");
        }

        _batch = new CompositionBatch(_formulas.Length);
        IntoBatch();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Formulas, Description = "regex baseline (pymatgen's algorithm)")]
    public int RegexBaseline()
    {
        var n = 0;
        foreach (var f in _formulas)
        {
            n += RegexFormulaParser.Parse(f).Count;
        }

        return n;
    }

    [Benchmark(OperationsPerInvoke = Formulas, Description = "Composition.Parse (object per formula)")]
    public double ToCompositions()
    {
        var atoms = 0.0;
        foreach (var f in _formulas)
        {
            atoms += Composition.Parse(f).NumAtoms;
        }

        return atoms;
    }

    [Benchmark(OperationsPerInvoke = Formulas, Description = "CompositionBatch.TryAdd (SoA, no allocation)")]
    public int IntoBatch()
    {
        _batch.Clear();
        foreach (var f in _formulas)
        {
            _batch.TryAdd(f, out _);
        }

        return _batch.EntryCount;
    }
}
