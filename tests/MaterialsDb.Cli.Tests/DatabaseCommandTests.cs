using MaterialsDb.TestSupport;

namespace MaterialsDb.Cli.Tests;

/// <summary><c>db contribute</c> on the embedded database: all rows or none, and the next run sees the entries.</summary>
public sealed class DatabaseCommandTests
{
    [Fact]
    public async Task ContributeStoresAGoodFileAndRefusesABadOneWhole()
    {
        using var folder = new TempDirectory();
        var results = Path.Combine(folder.Path, "results");
        var good = Path.Combine(folder.Path, "good.csv");
        await File.WriteAllTextAsync(good, "formula,e_form_per_atom,functional\nLi2MgS2,-1.9,PBE\nLiMgS,-1.5,PBE\n", TestContext.Current.CancellationToken);
        var (exit, output, error) = await CliRunner.RunAsync(null, "db", "contribute", good, "--scheme", "mp2020", "--licence", "CC-BY-4.0", "--reference", "doi:10.0/x", "--results", results);
        Assert.True(exit == 0, error);
        Assert.Contains("2 entries contributed as database version 1: mdb-1 to mdb-2", output, StringComparison.Ordinal);

        var bad = Path.Combine(folder.Path, "bad.csv");
        await File.WriteAllTextAsync(bad, "formula,e_form_per_atom\nNaCl,-2.0\nNaXx,-1\nKCl,-99\n", TestContext.Current.CancellationToken);
        (exit, _, error) = await CliRunner.RunAsync(null, "db", "contribute", bad, "--scheme", "mp2020", "--licence", "CC-BY-4.0", "--results", results);
        Assert.Equal(1, exit);
        Assert.Contains("row 2: formula", error, StringComparison.Ordinal);
        Assert.Contains("row 3: e_form_per_atom", error, StringComparison.Ordinal);

        // Nothing of the bad file was stored: the next contribution is version 2 and gets the next id.
        (exit, output, error) = await CliRunner.RunAsync(null, "db", "contribute", good, "--scheme", "r2scan", "--licence", "CC-BY-4.0", "--label", "again", "--results", results);
        Assert.True(exit == 0, error);
        Assert.Contains("database version 2: mdb-3 to mdb-4", output, StringComparison.Ordinal);
    }
}
