using System.Diagnostics;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Cli.Tests;

/// <summary>Ctrl-C (SIGINT) on a running <c>materialsdb screen</c>: it stops cleanly and leaves no output file behind.</summary>
public sealed class ScreenInterruptTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task InterruptedScreeningStopsAndWritesNothing()
    {
        var output = _dir.File("out.parquet");
        // Through env --default-signal=INT: a runner started in the background (nohup, '&') passes SIGINT on as ignored,
        // and a process that starts with it ignored never sees Ctrl-C; a terminal's child would have it at its default.
        var info = new ProcessStartInfo("env", ["--default-signal=INT", "dotnet", Path.Combine(AppContext.BaseDirectory, "materialsdb.dll"), "screen", Path.Combine(SharedFiles.RepositoryRoot, "examples", "large-space-quaternaries.yaml"), "-o", output])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["MATERIALSDB_MIRROR"] = SharedFiles.Mirror();
        info.Environment["MATERIALSDB_HOME"] = _dir.File("home");
        using var process = Process.Start(info)!;
        var stderr = new System.Text.StringBuilder();
        var started = new TaskCompletionSource();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }

            // The total is counted beside the screening, so the first lines may come before it is known.
            if (e.Data?.StartsWith("screened", StringComparison.Ordinal) == true && e.Data.Contains(" / ", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        // Wait until it is screening (a progress line with the space's total), then interrupt it as Ctrl-C would.
        await started.Task.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        lock (stderr)
        {
            Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}: {stderr}");
            Assert.Contains("cancelled", stderr.ToString(), StringComparison.Ordinal);

            // Progress lines in a log (not a terminal) carry the rate and the survivors of each stage.
            Assert.Matches(@"screened [\d,]+ / 6,288,402 \([\d.]+ %\) at [\d,]+/s; [\d,]+ pass \(element filters [\d,]+ > supply risk [\d,]+ > formation-energy [\d,]+ > hull [\d,]+\)", stderr.ToString());
        }

        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp"));
    }
}
