using MaterialsDb.Data.Tables;
using MaterialsDb.Screening.Engine;
using MaterialsDb.Screening.Output;
using MaterialsDb.Screening.Resources;
using MaterialsDb.Screening.Spec;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Service.Tests;

/// <summary>What <c>materialsdb screen</c> computes locally for a spec, to compare the service's results with.</summary>
internal static class LocalScreening
{
    public const string Spec = """
        name: service-test
        candidates:
          enumerate:
            elements: [Li, Mg, O, S, Cl]
            n_elements: [2, 3]
            max_coefficient: 4
        predict: [band-gap-pbe]
        stability: {reference: mp_e_form, model: formation-energy}
        constraints:
          e_above_hull: {max: 0.5}
        rank: {by: [e_above_hull, -band-gap-pbe]}
        top: 25
        """;

    /// <summary>The spec with the candidates competing on one hull (two passes; the service's first pass runs once, before the chunks).</summary>
    public static string SelfConsistentSpec { get; } = Spec.Replace("name: service-test", "name: self-consistent", StringComparison.Ordinal)
        .Replace("model: formation-energy}", "model: formation-energy, self_consistent: true}", StringComparison.Ordinal)
        .Replace("max: 0.5", "max: 0.05", StringComparison.Ordinal)
        .Replace("top: 25", "top: 100", StringComparison.Ordinal);

    public static async Task<ColumnTable> RunAsync(string specText)
    {
        var spec = SpecParser.Parse(specText);
        using var resources = await ScreeningResources.LoadAsync(spec, SharedFiles.MirrorStore(), ServiceNode.Registry, TestContext.Current.CancellationToken);
        var result = ScreeningEngine.Run(new ScreeningPlan(spec, resources), cancellationToken: TestContext.Current.CancellationToken);
        return ResultTable.Build(result, specText).Table;
    }

    /// <summary>Every column of the two tables equal, value for value.</summary>
    public static void AssertSameRows(ColumnTable expected, ColumnTable actual)
    {
        Assert.Equal(expected.Columns.Select(c => c.Name), actual.Columns.Select(c => c.Name));
        Assert.Equal(expected.RowCount, actual.RowCount);
        foreach (var column in expected.Columns)
        {
            switch (column)
            {
                case StringColumn s:
                    Assert.Equal(s.Values, actual.GetStrings(column.Name));
                    break;
                case DoubleColumn d:
                    Assert.Equal(d.Values, actual.GetDoubles(column.Name));
                    break;
                case LongColumn l:
                    Assert.Equal(l.Values, ((LongColumn)actual[column.Name]).Values);
                    break;
                case BoolColumn b:
                    Assert.Equal(b.Values, ((BoolColumn)actual[column.Name]).Values);
                    break;
                case PairsColumn p:
                    Assert.Equal(p.Values.Select(v => v is null ? null : string.Join(' ', v)), ((PairsColumn)actual[column.Name]).Values.Select(v => v is null ? null : string.Join(' ', v)));
                    break;
                default:
                    Assert.Fail($"column {column.Name} of an unexpected type");
                    break;
            }
        }
    }

    public static async Task<ColumnTable> ReadParquetAsync(byte[] bytes)
    {
        using var dir = new TempDirectory();
        var path = dir.File("r.parquet");
        await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);
        return (await ParquetTableReader.ReadAsync(path, TestContext.Current.CancellationToken)).Table;
    }
}
