using BenchmarkDotNet.Attributes;
using MaterialsDb.Data.Tables;
using MaterialsDb.Service.Explorer;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// The results explorer on a 10^6-row result: one page (50 rows) after a range filter, a required element and a sort
/// on a model column — what a click in the table asks for. The index (sort order kept per column) against LINQ over
/// the same arrays (filter, OrderBy, Take), the obvious way to answer the same question; and the first sort of a
/// column, which the index pays once.
/// </summary>
[MemoryDiagnoser]
public class ExplorerBenchmarks
{
    private const int Rows = 1_000_000;
    private ResultIndex _index = null!;
    private ResultFilter _filter = null!;
    private double[] _gap = null!;
    private double[] _hull = null!;
    private UInt128[] _elements = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        string[] symbols = ["Li", "O", "Fe", "P", "S", "Cl", "La", "Zr", "N", "Ga"];
        _gap = new double[Rows];
        _hull = new double[Rows];
        _elements = new UInt128[Rows];
        var fractions = new KeyValuePair<string, double>[]?[Rows];
        for (var i = 0; i < Rows; i++)
        {
            _gap[i] = random.NextDouble() * 8;
            _hull[i] = random.NextDouble() * 0.3 - 0.1;
            var chosen = symbols.Where(_ => random.NextDouble() < 0.3).DefaultIfEmpty("Li").ToArray();
            fractions[i] = [.. chosen.Select(s => new KeyValuePair<string, double>(s, 1.0 / chosen.Length))];
            foreach (var s in chosen)
            {
                _elements[i] |= ResultFilter.Bit(Chemistry.PeriodicTable.FromSymbol(s).Z);
            }
        }

        _index = new ResultIndex(
            new ColumnTable([new LongColumn("rank", [.. Enumerable.Range(1, Rows).Select(i => (long)i)]), new PairsColumn("fractions", fractions, PairsLayout.Map), new DoubleColumn("band_gap_pbe", _gap), new DoubleColumn("e_above_hull", _hull)]),
            new Dictionary<string, string>());
        _filter = ResultFilter.Parse(["e_above_hull::0.05"], "O", null).Filter!;
        _index.Order("band_gap_pbe", true);
    }

    [Benchmark(Baseline = true)]
    public int[] Linq()
    {
        var oxygen = ResultFilter.Bit(8);
        return [.. Enumerable.Range(0, Rows).Where(r => (_elements[r] & oxygen) != UInt128.Zero && _hull[r] <= 0.05).OrderByDescending(r => _gap[r]).ThenBy(r => r).Take(50)];
    }

    [Benchmark]
    public int[] Index() => _index.Rows(_index.Select(_filter), "band_gap_pbe", true, 0, 50);

    [Benchmark]
    public int[] IndexLastPage()
    {
        var selection = _index.Select(_filter);
        return _index.Rows(selection, "band_gap_pbe", true, selection.Count - 50, 50);
    }

    [Benchmark]
    public int[] FirstSortOfAColumn() => ResultIndex.BuildOrder(_gap, false);
}
