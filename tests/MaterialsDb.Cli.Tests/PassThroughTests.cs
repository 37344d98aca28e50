using MaterialsDb.Data.Tables;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Cli.Tests;

/// <summary>stability, composition, predict and featurize keep the input columns they do not produce, as text, in order.</summary>
public sealed class PassThroughTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("composition", ".csv")]
    [InlineData("composition", ".parquet")]
    [InlineData("stability", ".csv")]
    [InlineData("stability", ".parquet")]
    [InlineData("predict", ".csv")]
    [InlineData("featurize", ".parquet")]
    [InlineData("featurize", ".csv")]
    public async Task InputColumnsTheCommandDoesNotProduceAreKept(string command, string extension)
    {
        var input = _dir.File("in.csv");
        // An id that is not a number as text, a note with a comma, a column named like an output (replaced), a bad row.
        await File.WriteAllLinesAsync(input,
        [
            "id,formula,e_form_per_atom,note,error",
            "007,Li2O,-2.07,\"oxide, lithium\",x",
            "008,Fe2O3,-1.7,,y",
            "009,Xx2,-1,bad,z",
        ], TestContext.Current.CancellationToken);
        var output = _dir.File("out" + extension);
        string[] args = command switch
        {
            "predict" => ["predict", "-m", "formation-energy", "-i", input, "-o", output],
            "featurize" => ["featurize", "-i", input, "-o", output, "-p", "magpie"],
            _ => [command, "-i", input, "-o", output],
        };
        var (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), args);
        Assert.True(exit == 0, stderr);

        var table = extension == ".csv"
            ? CsvTableReader.ReadAsText(output)
            : (await ParquetTableReader.ReadAsync(output, TestContext.Current.CancellationToken)).Table;
        var names = table.Columns.Select(c => c.Name).ToList();
        // The kept columns follow the command's own, in input order; the input's 'error' gives way to the command's.
        var ownEnergy = command == "stability";
        Assert.Equal(ownEnergy ? ["id", "note"] : ["id", "e_form_per_atom", "note"], names.Skip(names.IndexOf("error") + 1));
        Assert.Equal(["007", "008", "009"], (IEnumerable<string?>)table.GetStrings("id"));
        Assert.Equal(["oxide, lithium", null, "bad"], (IEnumerable<string?>)table.GetStrings("note"));
        Assert.Single(names, n => n == "error");
        Assert.Null(table.GetStrings("error")[0]);
        Assert.NotNull(table.GetStrings("error")[2]);
        Assert.Equal(["Li2O", "Fe2O3", "Xx2"], (IEnumerable<string?>)table.GetStrings("formula"));
        if (extension == ".parquet")
        {
            // A third-party reader sees the id as text.
            Assert.Equal("007", DuckDb.Scalar($"SELECT id FROM read_parquet({DuckDb.Literal(output)}) WHERE formula = 'Li2O'"));
        }
    }
}
