using MaterialsDb.Data.Tables;
using MaterialsDb.TestSupport;
using Parquet;

namespace MaterialsDb.Cli.Tests;

public sealed class CompositionCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task WritesOneRowPerInputAndKeepsBadRows()
    {
        var input = _dir.File("in.csv");
        await File.WriteAllTextAsync(input, "id,formula\n1,Fe2O3\n2,FE2O3\n3,\"CuSO4·5H2O\"\n4,\n5,Li0.5CoO2\n", TestContext.Current.CancellationToken);
        var output = _dir.File("out.csv");

        var (exit, stdout, _) = await CliRunner.RunAsync(null, "composition", "--input", input, "--output", output);

        Assert.Equal(0, exit);
        Assert.Contains("5 rows", stdout, StringComparison.Ordinal);
        Assert.Contains("2 failed", stdout, StringComparison.Ordinal);
        var table = CsvTableReader.Read(output, ["formula", "reduced_formula", "chemsys", "fractions", "error"]);
        // The input's id column is kept after the command's own, so outputs join to inputs by more than position.
        Assert.Equal(["formula", "reduced_formula", "num_atoms", "chemsys", "fractions", "error", "id"], table.Columns.Select(c => c.Name));
        Assert.Equal([1.0, 2, 3, 4, 5], table.GetDoubles("id"));
        Assert.Equal(new[] { "Fe2O3", "FE2O3", "CuSO4·5H2O", string.Empty, "Li0.5CoO2" }, table.GetStrings("formula").Select(s => s ?? string.Empty));
        Assert.Equal("Fe2O3", table.GetStrings("reduced_formula")[0]);
        Assert.Equal("Fe-O", table.GetStrings("chemsys")[0]);
        Assert.Equal("O:0.6 Fe:0.4", table.GetStrings("fractions")[0]);
        Assert.Equal(21, table.GetDoubles("num_atoms")[2]);
        Assert.Contains("position 1", table.GetStrings("error")[1], StringComparison.Ordinal);
        Assert.Contains("empty", table.GetStrings("error")[3], StringComparison.Ordinal);
        Assert.Null(table.GetStrings("error")[0]);
        Assert.True(double.IsNaN(table.GetDoubles("num_atoms")[1]));
    }

    [Fact]
    public async Task WritesParquet()
    {
        var input = _dir.File("in.csv");
        await File.WriteAllTextAsync(input, "formula\nNaCl\nXx\n", TestContext.Current.CancellationToken);
        var output = _dir.File("out.parquet");

        var (exit, _, _) = await CliRunner.RunAsync(null, "composition", "-i", input, "-o", output);

        Assert.Equal(0, exit);
        await using var stream = File.OpenRead(output);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["formula", "reduced_formula", "num_atoms", "chemsys", "fractions", "error"], reader.Schema.Fields.Select(f => f.Name));
        var fields = reader.Schema.GetDataFields();
        using var group = reader.OpenRowGroupReader(0);
        var errors = new string[2];
        await group.ReadAsync(fields.Single(f => f.Name == "error"), errors, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Null(errors[0]);
        Assert.Contains("'Xx' is not an element", errors[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingInputIsAOneLineError()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync(null, "composition", "-i", _dir.File("nope.csv"), "-o", _dir.File("out.csv"));
        Assert.Equal(1, exit);
        Assert.StartsWith("materialsdb: error:", stderr, StringComparison.Ordinal);
        Assert.Contains("nope.csv", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.False(File.Exists(_dir.File("out.csv")));
    }

    [Fact]
    public async Task MissingFormulaColumnNamesTheColumns()
    {
        var input = _dir.File("in.csv");
        await File.WriteAllTextAsync(input, "name,value\nx,1\n", TestContext.Current.CancellationToken);
        var (exit, _, stderr) = await CliRunner.RunAsync(null, "composition", "-i", input, "-o", _dir.File("out.csv"));
        Assert.Equal(1, exit);
        Assert.Contains("no 'formula' column", stderr, StringComparison.Ordinal);
        Assert.Contains("name, value", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyInputFileIsAnError()
    {
        var input = _dir.File("in.csv");
        await File.WriteAllTextAsync(input, string.Empty, TestContext.Current.CancellationToken);
        var (exit, _, stderr) = await CliRunner.RunAsync(null, "composition", "-i", input, "-o", _dir.File("out.csv"));
        Assert.Equal(1, exit);
        Assert.Contains("empty", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownOutputFormatIsAnError()
    {
        var input = _dir.File("in.csv");
        await File.WriteAllTextAsync(input, "formula\nNaCl\n", TestContext.Current.CancellationToken);
        var (exit, _, stderr) = await CliRunner.RunAsync(null, "composition", "-i", input, "-o", _dir.File("out.json"));
        Assert.Equal(2, exit);
        Assert.Contains(".csv or .parquet", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingOptionIsAUsageError()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync(null, "composition", "-i", "x.csv");
        Assert.NotEqual(0, exit);
        Assert.Contains("--output", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpIsAvailable()
    {
        var (exit, stdout, _) = await CliRunner.RunAsync(null, "composition", "--help");
        Assert.Equal(0, exit);
        Assert.Contains("--input", stdout, StringComparison.Ordinal);
    }
}
