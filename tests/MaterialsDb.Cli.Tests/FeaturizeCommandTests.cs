using MaterialsDb.Chemistry;
using MaterialsDb.Data.Tables;
using MaterialsDb.Features;
using MaterialsDb.Models.ElementSources;
using MaterialsDb.Screening.Resources;
using MaterialsDb.TestSupport;
using Parquet;

namespace MaterialsDb.Cli.Tests;

public sealed class FeaturizeCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task WritesParquetWithFloatColumnsInInputOrder()
    {
        var store = SharedFiles.MirrorStore();
        var input = _dir.File("in.csv");
        string[] formulas = ["Fe2O3", "Xx2", "NaCl", "(Li", "Fe0.620C0.000953Mn0.000521Si0.00102Cr0.000110Ni0.192Mo0.0176V0.000112Nb0.0000616Co0.146Al0.00318Ti0.0185"];
        await File.WriteAllLinesAsync(input, ["formula", .. formulas], TestContext.Current.CancellationToken);
        var output = _dir.File("out.parquet");

        var (exit, stdout, stderr) = await CliRunner.RunAsync(store, "featurize", "-i", input, "-o", output, "--preset", "ward2016");

        Assert.True(exit == 0, stderr);
        Assert.Contains("2 failed", stdout, StringComparison.Ordinal);
        await using var stream = File.OpenRead(output);
        await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: TestContext.Current.CancellationToken);
        var fields = reader.Schema.GetDataFields();
        Assert.Equal(1 + 146 + 1, fields.Length);
        Assert.Equal("formula", fields[0].Name);
        Assert.Equal("MagpieData minimum Number", fields[1].Name);
        Assert.Equal("error", fields[^1].Name);
        Assert.Equal(typeof(float), Nullable.GetUnderlyingType(fields[1].ClrType) ?? fields[1].ClrType);

        using var group = reader.OpenRowGroupReader(0);
        var names = new string[5];
        await group.ReadAsync(fields[0], names, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(formulas, names);
        var errors = new string[5];
        await group.ReadAsync(fields[^1], errors, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Null(errors[0]);
        Assert.Contains("'Xx'", errors[1], StringComparison.Ordinal);
        Assert.Contains("never closed", errors[3], StringComparison.Ordinal);
        var meanNumber = new float?[5];
        await group.ReadAsync<float>(fields[4], meanNumber, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal((float)((0.4 * 26) + (0.6 * 8)), meanNumber[0]);
        Assert.Null(meanNumber[1]);   // a formula that could not be read has no features: null, not NaN
        Assert.Equal(14f, meanNumber[2]);

        // Same numbers as the library call.
        var featurizer = FeaturizerPresets.Create("ward2016", await MagpieElementData.LoadAsync(store, cancellationToken: TestContext.Current.CancellationToken));
        var batch = new CompositionBatch();
        batch.TryAdd(formulas[4], out _);
        var expected = new float[146];
        featurizer.Featurize(batch, 0, 1, expected);
        for (var c = 0; c < 146; c++)
        {
            var column = new float?[5];
            await group.ReadAsync<float>(fields[1 + c], column, cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(expected[c], column[4]);
        }
    }

    [Fact]
    public async Task CsvKeepsFullFloatPrecision()
    {
        var store = SharedFiles.MirrorStore();
        var input = _dir.File("in.csv");
        await File.WriteAllLinesAsync(input, ["formula", "Li0.5CoO2", "bad!"], TestContext.Current.CancellationToken);
        var output = _dir.File("out.csv");

        var (exit, _, stderr) = await CliRunner.RunAsync(store, "featurize", "-i", input, "-o", output);

        Assert.True(exit == 0, stderr);
        var table = CsvTableReader.Read(output, ["formula", "error"]);
        Assert.Equal(1 + 132 + 1, table.Columns.Count);
        var featurizer = FeaturizerPresets.Create("magpie", await MagpieElementData.LoadAsync(store, cancellationToken: TestContext.Current.CancellationToken));
        var batch = new CompositionBatch();
        batch.TryAdd("Li0.5CoO2", out _);
        var expected = new float[132];
        featurizer.Featurize(batch, 0, 1, expected);
        for (var c = 0; c < 132; c++)
        {
            Assert.Equal(expected[c], (float)table.GetDoubles(featurizer.FeatureLabels[c])[0]);
            Assert.True(double.IsNaN(table.GetDoubles(featurizer.FeatureLabels[c])[1]));
        }
    }

    [Fact]
    public async Task UnknownPresetIsAUsageError()
    {
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "featurize", "-i", "x.csv", "-o", "y.parquet", "--preset", "magpi");
        Assert.NotEqual(0, exit);
        Assert.Contains("magpi", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyInputGivesAHeaderOnlyFile()
    {
        var input = _dir.File("in.csv");
        await File.WriteAllTextAsync(input, "formula\n", TestContext.Current.CancellationToken);
        var output = _dir.File("out.csv");
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "featurize", "-i", input, "-o", output);
        Assert.True(exit == 0, stderr);
        var header = (await File.ReadAllLinesAsync(output, TestContext.Current.CancellationToken)).Single();
        Assert.StartsWith("formula,MagpieData minimum Number,", header, StringComparison.Ordinal);
        Assert.EndsWith(",error", header, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFileOfSeveralChunksIsReadAndWrittenChunkByChunk()
    {
        // Two chunks (of 65,536 rows, a Parquet row group) and a bit: the rows, their order and the pass-through column
        // survive every chunk edge.
        const int chunk = 65_536;
        var rows = (2 * chunk) + 7;
        var input = _dir.File("in.csv");
        await File.WriteAllLinesAsync(input, ["id,formula", .. Enumerable.Range(0, rows).Select(i => $"r{i},{(i == chunk ? "Xx2" : $"Fe{1 + (i % 9)}O{1 + (i % 5)}")}")], TestContext.Current.CancellationToken);
        var output = _dir.File("out.parquet");
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "featurize", "-i", input, "-o", output);
        Assert.True(exit == 0, stderr);
        var table = (await ParquetTableReader.ReadAsync(output, TestContext.Current.CancellationToken)).Table;
        Assert.Equal(rows, table.RowCount);
        Assert.Equal(Enumerable.Range(0, rows).Select(i => $"r{i}"), table.GetStrings("id"));
        Assert.Equal([chunk], Enumerable.Range(0, rows).Where(i => table.GetStrings("error")[i] is not null));

        // A bad line past the first chunk fails the command after chunks were written: no output is left.
        await File.AppendAllTextAsync(input, "r,x,y\n", TestContext.Current.CancellationToken);
        File.Delete(output);
        (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "featurize", "-i", input, "-o", output);
        Assert.Equal(1, exit);
        Assert.Contains($"line {rows + 2}", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir.Path, "out.parquet*"));
    }

    [Fact]
    public async Task FailureLeavesNoOutputFile()
    {
        var input = _dir.File("in.csv");
        await File.WriteAllTextAsync(input, "name\nNaCl\n", TestContext.Current.CancellationToken);
        var output = _dir.File("out.parquet");
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "featurize", "-i", input, "-o", output);
        Assert.Equal(1, exit);
        Assert.Contains("no 'formula' column", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir.Path, "out.parquet*"));
    }
}
