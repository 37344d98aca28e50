using MaterialsDb.Data.Downloads;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Cli.Tests;

public sealed class DatasetsCommandTests : IDisposable
{
    private readonly TempDirectory _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task PullsFromTheMirrorAndListsAsCached()
    {
        var store = new DatasetStore(new DatasetStoreOptions { Home = _home.Path, Mirror = SharedFiles.Mirror() });

        var (exit, stdout, _) = await CliRunner.RunAsync(store, "datasets", "pull", "steels_yield", "expt_gap");
        Assert.Equal(0, exit);
        Assert.Contains("steels_yield: 1 file(s)", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_home.Path, "datasets", "steels_yield", "steels_yield.csv")));

        (exit, stdout, _) = await CliRunner.RunAsync(store, "datasets", "list");
        Assert.Equal(0, exit);
        var steels = stdout.Split('\n').Single(l => l.Contains("steels_yield", StringComparison.Ordinal));
        Assert.Contains("yes", steels, StringComparison.Ordinal);
        var glass = stdout.Split('\n').First(l => l.Contains("glass ", StringComparison.Ordinal));
        Assert.Contains("no", glass, StringComparison.Ordinal);

        (exit, stdout, _) = await CliRunner.RunAsync(store, "datasets", "verify");
        Assert.Equal(0, exit);
        Assert.Contains("steels_yield: ok", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyReportsAChangedFile()
    {
        var store = new DatasetStore(new DatasetStoreOptions { Home = _home.Path, Mirror = SharedFiles.Mirror() });
        Assert.Equal(0, (await CliRunner.RunAsync(store, "datasets", "pull", "steels_yield")).Exit);
        var path = Path.Combine(_home.Path, "datasets", "steels_yield", "steels_yield.csv");
        var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        bytes[100] ^= 1;
        await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);

        var (exit, stdout, _) = await CliRunner.RunAsync(store, "datasets", "verify", "steels_yield");
        Assert.Equal(1, exit);
        Assert.Contains("missing or changed: steels_yield.csv", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownDatasetIsAOneLineError()
    {
        var store = new DatasetStore(new DatasetStoreOptions { Home = _home.Path, Mirror = SharedFiles.Mirror() });
        var (exit, _, stderr) = await CliRunner.RunAsync(store, "datasets", "pull", "mp_eform");
        Assert.Equal(1, exit);
        Assert.Contains("Unknown dataset 'mp_eform'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PullNeedsIdsOrAll()
    {
        var store = new DatasetStore(new DatasetStoreOptions { Home = _home.Path, Mirror = SharedFiles.Mirror() });
        var (exit, _, stderr) = await CliRunner.RunAsync(store, "datasets", "pull");
        Assert.Equal(2, exit);
        Assert.Contains("--all", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PullAllFetchesTheWholeCatalog()
    {
        var store = new DatasetStore(new DatasetStoreOptions { Home = _home.Path, Mirror = SharedFiles.Mirror() });
        var (exit, _, _) = await CliRunner.RunAsync(store, "datasets", "pull", "--all");
        Assert.Equal(0, exit);
        Assert.All(MaterialsDb.Data.Catalog.DatasetCatalog.Default.Datasets, d => Assert.True(store.IsCached(d), d.Id));
    }
}
