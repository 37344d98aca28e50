using System.Diagnostics;
using MaterialsDb.Data.Catalog;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Cli.Tests;

/// <summary>Two real materialsdb processes pulling the same dataset at once from a loopback mirror.</summary>
public sealed class TwoProcessPullTests : IDisposable
{
    private readonly TempDirectory _home = new();

    public void Dispose() => _home.Dispose();

    [Fact]
    public async Task TwoProcessesDownloadOnceAndBothSucceed()
    {
        await using var server = new LoopbackMirrorServer(SharedFiles.Mirror()) { Delay = TimeSpan.FromMilliseconds(500) };
        var cli = Path.Combine(AppContext.BaseDirectory, "materialsdb.dll");
        Assert.True(File.Exists(cli), cli);

        var first = Start(cli, server.BaseUrl);
        var second = Start(cli, server.BaseUrl);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await Task.WhenAll(first.WaitForExitAsync(timeout.Token), second.WaitForExitAsync(timeout.Token));
        }
        finally
        {
            // A hung pull must not outlive the test.
            foreach (var p in new[] { first, second }.Where(p => !p.HasExited))
            {
                p.Kill(entireProcessTree: true);
            }
        }


        Assert.True(first.ExitCode == 0, await first.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken));
        Assert.True(second.ExitCode == 0, await second.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken));
        var file = DatasetCatalog.Default.Get("mp_e_form").Files[0];
        Assert.Equal(1, server.RequestsFor(file.Url.Host + file.Url.AbsolutePath));
        var path = Path.Combine(_home.Path, "datasets", "mp_e_form", file.Name);
        Assert.Equal(file.Size, new FileInfo(path).Length);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.partial"));
    }

    private Process Start(string cli, string mirror)
    {
        var info = new ProcessStartInfo("dotnet", [cli, "datasets", "pull", "mp_e_form"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["MATERIALSDB_HOME"] = _home.Path;
        info.Environment["MATERIALSDB_MIRROR"] = mirror;
        return Process.Start(info)!;
    }
}
