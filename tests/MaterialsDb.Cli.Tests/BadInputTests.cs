using MaterialsDb.Data.Tables;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Cli.Tests;

/// <summary>Bad input tried on purpose: each gets a one-line error and the documented exit code, never a crash.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ANonNumericEnergyFailsItsRowNotTheFile()
    {
        var input = _dir.File("q.csv");
        await File.WriteAllTextAsync(input, "formula,e_form_per_atom\nLi2O,-2.1\nMgO,abc\nNaCl,-1e20\nMgO,-3.0\n", TestContext.Current.CancellationToken);
        var output = _dir.File("out.csv");
        var (exit, stdout, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "stability", "-i", input, "-o", output);
        Assert.True(exit == 0, stderr);
        Assert.Contains("2 failed", stdout, StringComparison.Ordinal);
        var table = CsvTableReader.Read(output, ["formula", "error"]);
        var errors = table.GetStrings("error");
        Assert.Null(errors[0]);
        Assert.Equal("e_form_per_atom 'abc' is not a number", errors[1]);
        Assert.Contains("outside ±10 eV/atom", errors[2], StringComparison.Ordinal);
        Assert.Null(errors[3]);
        Assert.True(double.IsFinite(table.GetDoubles("e_above_hull")[3]));
    }

    [Fact]
    public async Task AnImplausibleReferenceEnergyNamesItsRow()
    {
        // -1e20 eV/atom crashed hull construction with an ArgumentOutOfRangeException.
        var reference = _dir.File("ref.csv");
        await File.WriteAllTextAsync(reference, "formula,e_form_per_atom\nLiO,-1.0\nLi2O,-1e20\n", TestContext.Current.CancellationToken);
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "hull", "Li-O", "--reference", reference);
        Assert.Equal(1, exit);
        Assert.StartsWith("materialsdb: error:", stderr, StringComparison.Ordinal);
        Assert.Contains("row 2 (Li2O)", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("stability")]
    [InlineData("composition")]
    [InlineData("featurize")]
    [InlineData("predict")]
    public async Task AnOutputThatIsTheInputIsRefused(string command)
    {
        var input = _dir.File("in.csv");
        const string Content = "formula,e_form_per_atom\nNaCl,-2\n";
        await File.WriteAllTextAsync(input, Content, TestContext.Current.CancellationToken);
        string[] args = command == "predict" ? ["predict", "-m", "formation-energy", "-i", input, "-o", input] : [command, "-i", input, "-o", input];
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), args);
        Assert.Equal(2, exit);
        Assert.Contains("is the input file", stderr, StringComparison.Ordinal);
        Assert.Equal(Content, await File.ReadAllTextAsync(input, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task DamagedResultFilesAreErrorsNotCrashes()
    {
        var good = _dir.File("good.parquet");
        await TableWriter.WriteAsync(new ColumnTable([new StringColumn("formula", [.. Enumerable.Range(0, 500).Select(i => $"Na{i}Cl")]), new DoubleColumn("x", [.. Enumerable.Range(0, 500).Select(i => i * 0.5)])]), good, cancellationToken: TestContext.Current.CancellationToken);
        var bytes = await File.ReadAllBytesAsync(good, TestContext.Current.CancellationToken);
        List<byte[]> cases = [[], bytes[..(bytes.Length / 2)], "PAR1 not really"u8.ToArray()];
        var random = new Random(42);
        for (var i = 0; i < 40; i++)
        {
            var copy = (byte[])bytes.Clone();
            for (var j = 0; j < 1 + (i % 8); j++)
            {
                copy[random.Next(4, copy.Length - 4)] ^= (byte)random.Next(1, 256);
            }

            cases.Add(copy);
        }

        foreach (var (data, n) in cases.Select((d, n) => (d, n)))
        {
            var path = _dir.File($"bad{n}.parquet");
            await File.WriteAllBytesAsync(path, data, TestContext.Current.CancellationToken);
            var (exit, _, stderr) = await CliRunner.RunAsync(null, "results", "show", path);
            // A flipped byte may land in a value and leave a readable file; what must never happen is a crash.
            Assert.True(exit is 0 or 1, $"case {n}: exit {exit}: {stderr}");
            if (exit == 1)
            {
                Assert.StartsWith("materialsdb: error:", stderr, StringComparison.Ordinal);
                Assert.Single(stderr.Trim().Split('\n'));
            }
        }
    }

    [Fact]
    public async Task ADeeplyNestedSpecIsAnErrorNotAStackOverflow()
    {
        var spec = _dir.File("deep.yaml");
        await File.WriteAllTextAsync(spec, "name: x\ncandidates: {enumerate: {elements: " + new string('[', 40_000) + "Li" + new string(']', 40_000) + "}}\n", TestContext.Current.CancellationToken);
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "screen", spec);
        Assert.Equal(1, exit);
        Assert.Contains("nested deeper than", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMultiDocumentSpecIsRefused()
    {
        var spec = _dir.File("two.yaml");
        await File.WriteAllTextAsync(spec, "name: a\ncandidates: {formulas: [NaCl]}\n---\nname: b\ncandidates: {formulas: [KCl]}\n", TestContext.Current.CancellationToken);
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "screen", spec);
        Assert.Equal(1, exit);
        Assert.Contains("a spec is exactly one document", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStabilityModelMustPredictFormationEnergies()
    {
        var spec = _dir.File("gap.yaml");
        await File.WriteAllTextAsync(spec, "name: a\ncandidates: {formulas: [NaCl]}\nstability: {model: band-gap-pbe}\n", TestContext.Current.CancellationToken);
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "screen", spec, "-o", _dir.File("r.parquet"));
        Assert.Equal(1, exit);
        Assert.Contains("stability.model: 'band-gap-pbe' predicts mp_gap in eV", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no-such-command")]
    [InlineData("screen")]
    [InlineData("composition", "--input")]
    [InlineData("featurize", "-i", "a.csv", "-o", "b.parquet", "--threads", "many")]
    public async Task UsageErrorsExitWithTwoAndTheErrorPrefix(params string[] args)
    {
        var (exit, _, stderr) = await CliRunner.RunAsync(null, args);
        Assert.Equal(2, exit);
        Assert.StartsWith("materialsdb: error:", stderr, StringComparison.Ordinal);
        Assert.Contains("--help", stderr, StringComparison.Ordinal);
    }
}
