using System.Net;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Downloads;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Data.Tests;

/// <summary>The downloader against a real HTTP server on loopback serving the dataset mirror.</summary>
public sealed class DatasetStoreTests : IDisposable
{
    private readonly TempDirectory _home = new();

    private static DatasetEntry Steels => DatasetCatalog.Default.Get("steels_yield");

    private static DatasetFile SteelsFile => Steels.Files[0];

    private static string RelativePath(DatasetFile file) => file.Url.Host + Uri.UnescapeDataString(file.Url.AbsolutePath);

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task DownloadsVerifiesAndCaches()
    {
        await using var server = new LoopbackMirrorServer(SharedFiles.Mirror());
        var store = Store(server.BaseUrl);
        Assert.False(store.IsCached(Steels));
        var reports = new List<DownloadProgress>();
        var progress = new SyncProgress(reports.Add);

        var path = await store.EnsureFileAsync(Steels, SteelsFile, progress, TestContext.Current.CancellationToken);

        Assert.Equal(store.FilePath(Steels, SteelsFile), path);
        Assert.Equal(SteelsFile.Size, new FileInfo(path).Length);
        Assert.True(store.IsCached(Steels));
        Assert.Empty(await store.VerifyAsync(Steels, TestContext.Current.CancellationToken));
        Assert.NotEmpty(reports);
        Assert.Equal(SteelsFile.Size, reports[^1].BytesReceived);

        // A second call is served from the cache.
        await store.EnsureFileAsync(Steels, SteelsFile, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(1, server.RequestsFor(RelativePath(SteelsFile)));
        AssertNoLeftovers(store);
    }

    [Fact]
    public async Task CorruptedByteIsRejectedAndNothingIsKept()
    {
        await using var server = new LoopbackMirrorServer(SharedFiles.Mirror()) { CorruptByte = true };
        var store = Store(server.BaseUrl);

        var e = await Assert.ThrowsAsync<DatasetIntegrityException>(() => store.EnsureFileAsync(Steels, SteelsFile, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(SteelsFile.Sha256, e.ExpectedSha256);
        Assert.NotEqual(SteelsFile.Sha256, e.ActualSha256);
        Assert.Contains("steels_yield", e.Message, StringComparison.Ordinal);
        Assert.Contains(SteelsFile.Sha256, e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(store.FilePath(Steels, SteelsFile)));
        Assert.False(store.IsCached(Steels));
        AssertNoLeftovers(store);
    }

    [Fact]
    public async Task DroppedConnectionIsRetried()
    {
        await using var server = new LoopbackMirrorServer(SharedFiles.Mirror()) { DropConnections = 2 };
        var store = Store(server.BaseUrl);

        var path = await store.EnsureFileAsync(Steels, SteelsFile, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(3, server.RequestsFor(RelativePath(SteelsFile)));
        Assert.Empty(await store.VerifyAsync(Steels, TestContext.Current.CancellationToken));
        Assert.Equal(SteelsFile.Size, new FileInfo(path).Length);
        AssertNoLeftovers(store);
    }

    [Fact]
    public async Task ConnectionThatKeepsDroppingFailsCleanly()
    {
        await using var server = new LoopbackMirrorServer(SharedFiles.Mirror()) { DropConnections = 100 };
        var store = Store(server.BaseUrl);

        var e = await Assert.ThrowsAsync<DatasetDownloadException>(() => store.EnsureFileAsync(Steels, SteelsFile, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("after 3 attempts", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, server.RequestsFor(RelativePath(SteelsFile)));
        Assert.False(File.Exists(store.FilePath(Steels, SteelsFile)));
        AssertNoLeftovers(store);
    }

    [Fact]
    public async Task NotFoundIsNotRetried()
    {
        await using var server = new LoopbackMirrorServer(SharedFiles.Mirror()) { FailWith = HttpStatusCode.NotFound };
        var store = Store(server.BaseUrl);

        var e = await Assert.ThrowsAsync<DatasetDownloadException>(() => store.EnsureFileAsync(Steels, SteelsFile, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("404", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.TotalRequests);
        AssertNoLeftovers(store);
    }

    [Fact]
    public async Task ServerErrorsAreRetried()
    {
        await using var server = new LoopbackMirrorServer(SharedFiles.Mirror()) { FailWith = HttpStatusCode.ServiceUnavailable };
        var store = Store(server.BaseUrl);

        await Assert.ThrowsAsync<DatasetDownloadException>(() => store.EnsureFileAsync(Steels, SteelsFile, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(3, server.TotalRequests);
    }

    [Fact]
    public async Task ConcurrentPullsOfTheSameDatasetDownloadOnce()
    {
        await using var server = new LoopbackMirrorServer(SharedFiles.Mirror()) { Delay = TimeSpan.FromMilliseconds(300) };

        // Two stores stand for two processes: they share only the cache folder and its lock files.
        var first = Store(server.BaseUrl);
        var second = Store(server.BaseUrl);
        var paths = await Task.WhenAll(
            Task.Run(() => first.EnsureAsync(Steels, cancellationToken: TestContext.Current.CancellationToken)),
            Task.Run(() => second.EnsureAsync(Steels, cancellationToken: TestContext.Current.CancellationToken)));

        Assert.Equal(paths[0], paths[1]);
        Assert.Equal(1, server.RequestsFor(RelativePath(SteelsFile)));
        Assert.Empty(await first.VerifyAsync(Steels, TestContext.Current.CancellationToken));
        AssertNoLeftovers(first);
    }

    [Fact]
    public async Task ConcurrentPullsFromSeparateProcessesAreSafe()
    {
        await using var server = new LoopbackMirrorServer(SharedFiles.Mirror()) { Delay = TimeSpan.FromMilliseconds(300) };
        var store = Store(server.BaseUrl);
        var lockPath = store.FilePath(Steels, SteelsFile) + ".lock";
        Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);

        // Hold the lock as another process would; the store must wait for it, then find the file in place.
        var holder = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var pull = Task.Run(() => store.EnsureFileAsync(Steels, SteelsFile, cancellationToken: TestContext.Current.CancellationToken));
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.False(pull.IsCompleted);
        File.Copy(Path.Combine(SharedFiles.Mirror(), RelativePath(SteelsFile)), store.FilePath(Steels, SteelsFile));
        await holder.DisposeAsync();

        await pull;
        Assert.Equal(0, server.TotalRequests);
    }

    [Fact]
    public async Task ReadsAFolderMirrorWithoutNetwork()
    {
        var store = new DatasetStore(new DatasetStoreOptions { Home = _home.Path, Mirror = SharedFiles.Mirror() });
        var magpie = DatasetCatalog.Default.Get("magpie_elementdata");

        var folder = await store.EnsureAsync(magpie, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(store.IsCached(magpie));
        Assert.True(File.Exists(Path.Combine(folder, "n_ws^third.table")));
        Assert.Empty(await store.VerifyAsync(magpie, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task MissingMirrorFileIsAClearError()
    {
        using var emptyMirror = new TempDirectory();
        var store = new DatasetStore(new DatasetStoreOptions { Home = _home.Path, Mirror = emptyMirror.Path, InitialBackoff = TimeSpan.Zero });

        var e = await Assert.ThrowsAsync<DatasetDownloadException>(() => store.EnsureFileAsync(Steels, SteelsFile, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Contains("mirror has no file", e.Message, StringComparison.Ordinal);
        Assert.Contains(emptyMirror.Path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TruncatedCacheFileIsFetchedAgain()
    {
        var store = new DatasetStore(new DatasetStoreOptions { Home = _home.Path, Mirror = SharedFiles.Mirror() });
        var path = await store.EnsureFileAsync(Steels, SteelsFile, cancellationToken: TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(path, "formula,target\n", TestContext.Current.CancellationToken);
        Assert.False(store.IsCached(Steels));
        Assert.Equal(["steels_yield.csv"], await store.VerifyAsync(Steels, TestContext.Current.CancellationToken));

        await store.EnsureFileAsync(Steels, SteelsFile, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Empty(await store.VerifyAsync(Steels, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData(null, "https://raw.githubusercontent.com/a/b/c.csv")]
    [InlineData("http://127.0.0.1:9/m", "http://127.0.0.1:9/m/raw.githubusercontent.com/a/b/c.csv")]
    [InlineData("http://127.0.0.1:9/m/", "http://127.0.0.1:9/m/raw.githubusercontent.com/a/b/c.csv")]
    public void MirrorReplacesTheHttpsPrefix(string? mirror, string expected)
    {
        var source = DownloadSource.Resolve(new Uri("https://raw.githubusercontent.com/a/b/c.csv"), mirror);
        Assert.Equal(expected, Assert.IsType<DownloadSource.HttpSource>(source).Url.ToString());
    }

    [Fact]
    public void FolderMirrorMapsToHostAndPath()
    {
        var source = DownloadSource.Resolve(new Uri("https://raw.githubusercontent.com/a/b/n_ws%5Ethird.table"), "file:///srv/mirror");
        Assert.Equal("/srv/mirror/raw.githubusercontent.com/a/b/n_ws^third.table", Assert.IsType<DownloadSource.FileSource>(source).Path);
    }

    private DatasetStore Store(string mirror) =>
        new(new DatasetStoreOptions { Home = _home.Path, Mirror = mirror, MaxAttempts = 3, InitialBackoff = TimeSpan.FromMilliseconds(10) });

    private static void AssertNoLeftovers(DatasetStore store)
    {
        var folder = store.DatasetDirectory(Steels);
        if (Directory.Exists(folder))
        {
            Assert.Empty(Directory.GetFiles(folder, "*.partial"));
        }
    }

    private sealed class SyncProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}
