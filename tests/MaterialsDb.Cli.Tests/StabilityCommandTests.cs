using MaterialsDb.Data.Tables;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Cli.Tests;

public sealed class StabilityCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AddsHullColumnsAndKeepsBadRows()
    {
        var input = _dir.File("q.csv");
        await File.WriteAllTextAsync(input, "formula,e_form_per_atom\nLi2O,-2.1\nXx,1\nLiO,\nLi5La3Ta2O12,-2.9\n", TestContext.Current.CancellationToken);
        var output = _dir.File("out.csv");

        var (exit, stdout, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "stability", "-i", input, "-o", output);

        Assert.True(exit == 0, stderr);
        Assert.Contains("2 failed", stdout, StringComparison.Ordinal);
        var table = CsvTableReader.Read(output, ["formula", "is_stable", "decomposition", "error"]);
        Assert.Equal(["formula", "e_form_per_atom", "e_above_hull", "hull_energy", "is_stable", "decomposition", "error"], table.Columns.Select(c => c.Name));
        var above = table.GetDoubles("e_above_hull");
        var hull = table.GetDoubles("hull_energy");
        Assert.Equal(-2.1 - hull[0], above[0], 12);
        Assert.True(above[0] < 0);
        Assert.Equal("true", table.GetStrings("is_stable")[0]);
        Assert.Equal("Li2O:1", table.GetStrings("decomposition")[0]);
        Assert.Contains("'Xx'", table.GetStrings("error")[1], StringComparison.Ordinal);
        Assert.Contains("e_form_per_atom", table.GetStrings("error")[2], StringComparison.Ordinal);
        var parts = table.GetStrings("decomposition")[3]!.Split(' ').Select(p => double.Parse(p.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(1.0, parts.Sum(), 12);
        Assert.Equal(parts.OrderDescending(), parts);
    }

    [Fact]
    public async Task RepeatedRunsWriteIdenticalBytes()
    {
        var input = _dir.File("q.csv");
        var rows = new[] { "LiFePO4,-2.5", "Li3PS4,-1.0", "Li5La3Ta2O12,-2.9", "Co2MnO4,-1.5", "LiMnO2,-2.0", "Xx,1" };
        await File.WriteAllLinesAsync(input, ["formula,e_form_per_atom", .. rows, .. rows], TestContext.Current.CancellationToken);
        var first = _dir.File("a.parquet");
        var second = _dir.File("b.parquet");
        Assert.Equal(0, (await CliRunner.RunAsync(SharedFiles.MirrorStore(), "stability", "-i", input, "-o", first)).Exit);
        Assert.Equal(0, (await CliRunner.RunAsync(SharedFiles.MirrorStore(), "stability", "-i", input, "-o", second)).Exit);
        Assert.Equal(await File.ReadAllBytesAsync(first, TestContext.Current.CancellationToken), await File.ReadAllBytesAsync(second, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task UsesACsvReference()
    {
        var reference = _dir.File("ref.csv");
        await File.WriteAllTextAsync(reference, "id,formula,e_form_per_atom\nx-1,LiO,-1.0\nx-2,Li3O,-0.2\n", TestContext.Current.CancellationToken);
        var (exit, stdout, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "hull", "Li-O", "--reference", reference, "--format", "table");
        Assert.True(exit == 0, stderr);
        Assert.Contains("x-1", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("x-2", stdout, StringComparison.Ordinal);
        Assert.Contains("3 stable of 4 entries", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadReferenceIsRefusedWithRowNumbers()
    {
        var reference = _dir.File("ref.csv");
        await File.WriteAllTextAsync(reference, "id,formula,e_form_per_atom\nx-1,LiO,-1.0\nx-1,Li3O,-0.2\nx-3,Qq,-1\n", TestContext.Current.CancellationToken);
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "hull", "Li-O", "--reference", reference);
        Assert.Equal(1, exit);
        Assert.Contains("row 3", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task UnknownReferenceAndSystemAreOneLineErrors()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "hull", "Li-O", "--reference", "nope");
        Assert.Equal(1, exit);
        Assert.Contains("neither a catalog dataset id nor an existing CSV file", stderr, StringComparison.Ordinal);
        (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "hull", "Li-Xx");
        Assert.Equal(1, exit);
        Assert.Contains("'Xx'", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", stderr, StringComparison.Ordinal);
    }
}
