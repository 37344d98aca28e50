using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using MaterialsDb.Cli.Output;
using MaterialsDb.Screening.Engine;
using MaterialsDb.TestSupport;
using Spectre.Console;

namespace MaterialsDb.Cli.Tests;

/// <summary>The CLI's conventions: JSON for every table, tab-separated text when redirected, --quiet, completion, progress that fits the terminal.</summary>
public sealed partial class ConventionsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("datasets", "list")]
    [InlineData("models", "list")]
    [InlineData("hull", "Li-O")]
    [InlineData("predict", "-m", "formation-energy", "NaCl", "Xx")]
    public async Task EveryTableCommandPrintsJson(params string[] args)
    {
        foreach (var flag in new[] { new[] { "--json" }, ["--format", "json"] })
        {
            var (exit, stdout, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), [.. args, .. flag]);
            Assert.True(exit == 0, stderr);
            var root = JsonDocument.Parse(stdout).RootElement;
            Assert.NotEmpty(root.GetProperty("data").EnumerateArray());
            Assert.All(root.GetProperty("data").EnumerateArray(), row => Assert.All(row.EnumerateObject(), p => Assert.Matches("^[a-z0-9_]+$", p.Name)));
        }
    }

    [Fact]
    public async Task RedirectedOutputIsTabSeparatedAndTablesAreForTerminals()
    {
        var (_, tsv, _) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "hull", "Li-O");
        var lines = tsv.Trim().Split('\n');
        Assert.Equal("formula\te_form_per_atom\tid", lines[0]);
        Assert.All(lines, l => Assert.Equal(2, l.Count(c => c == '\t')));
        Assert.DoesNotContain("│", tsv, StringComparison.Ordinal);

        var (_, table, _) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "hull", "Li-O", "--format", "table");
        Assert.Contains("Li2O", table, StringComparison.Ordinal);
        Assert.Contains("stable of", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PredictionsWithErrorsAreNullInJson()
    {
        var (_, stdout, _) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "predict", "-m", "formation-energy", "NaCl", "Xx", "--json");
        var root = JsonDocument.Parse(stdout).RootElement;
        var rows = root.GetProperty("data").EnumerateArray().ToArray();
        Assert.InRange(rows[0].GetProperty("prediction").GetDouble(), -3, -1);
        Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("prediction").ValueKind);
        Assert.Contains("'Xx'", rows[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("eV/atom", root.GetProperty("meta").GetProperty("units").GetString());
    }

    [Fact]
    public async Task ResultsShowPrintsJsonWithNestedCellsAndMetadata()
    {
        var spec = _dir.File("s.yaml");
        await File.WriteAllTextAsync(spec, "name: j\ncandidates: {formulas: [NaCl, LiCl, MgO]}\npredict: [band-gap-pbe]\nstability: {reference: mp_e_form}\n", TestContext.Current.CancellationToken);
        var output = _dir.File("r.parquet");
        var (exit, stdout, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "screen", spec, "-o", output, "-q");
        Assert.True(exit == 0, stderr);
        Assert.Equal(string.Empty, stdout);   // --quiet silences the summary too

        (exit, stdout, _) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "results", "show", output, "--json", "-n", "2");
        Assert.Equal(0, exit);
        var root = JsonDocument.Parse(stdout).RootElement;
        var first = root.GetProperty("data")[0];
        Assert.Equal(JsonValueKind.Object, first.GetProperty("fractions").ValueKind);
        Assert.Equal(JsonValueKind.Array, first.GetProperty("decomposition").ValueKind);
        Assert.True(first.TryGetProperty("band_gap_pbe_std", out _));
        Assert.Equal("band-gap-pbe", root.GetProperty("meta").GetProperty("models").GetProperty("band_gap_pbe").GetString());
        Assert.Equal(3, root.GetProperty("meta").GetProperty("rows").GetInt32());
        Assert.Equal(2, root.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task QuietSilencesSummariesButNotErrors()
    {
        var input = _dir.File("in.csv");
        await File.WriteAllTextAsync(input, "formula\nNaCl\n", TestContext.Current.CancellationToken);
        var (exit, stdout, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "composition", "-i", input, "-o", _dir.File("o.csv"), "-q");
        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, stdout + stderr);
        (exit, _, stderr) = await CliRunner.RunAsync(SharedFiles.MirrorStore(), "composition", "-i", _dir.File("none.csv"), "-o", _dir.File("o.csv"), "-q");
        Assert.Equal(1, exit);
        Assert.StartsWith("materialsdb: error:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuggestionsCompleteCommandsAndOptionValues()
    {
        var (_, stdout, _) = await CliRunner.RunAsync(null, "[suggest:9]", "models tr");
        Assert.Equal("train", stdout.Trim());
        (_, stdout, _) = await CliRunner.RunAsync(null, "[suggest:19]", "featurize --preset ");
        Assert.Equal(["fractions", "magpie", "magpie-fractions", "ward2016", "ward2016-fractions"], stdout.Trim().Split('\n').Select(l => l.Trim()));
    }

    [Fact]
    public async Task TheBashCompletionScriptCompletesThroughTheProgram()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "bash completion is tested on Unix");
        // A 'materialsdb' on PATH, as an installed tool would be.
        var bin = Directory.CreateDirectory(_dir.File("bin")).FullName;
        var shim = Path.Combine(bin, "materialsdb");
        await File.WriteAllTextAsync(shim, $"#!/bin/sh\nexec dotnet \"{Path.Combine(AppContext.BaseDirectory, "materialsdb.dll")}\" \"$@\"\n", TestContext.Current.CancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var (_, script, _) = await CliRunner.RunAsync(null, "completion", "bash");
        var scriptFile = _dir.File("completion.bash");
        await File.WriteAllTextAsync(scriptFile, script, TestContext.Current.CancellationToken);
        var probe = $"source '{scriptFile}'; COMP_LINE='materialsdb datasets pu'; COMP_POINT=${{#COMP_LINE}}; COMP_WORDS=(materialsdb datasets pu); COMP_CWORD=2; _materialsdb_complete; echo \"${{COMPREPLY[@]}}\"";
        var info = new ProcessStartInfo("bash", ["-c", probe]) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
        using var bash = Process.Start(info)!;
        var output = await bash.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await bash.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal("pull", output.Trim());
    }

    [Fact]
    public async Task TheLiveProgressLineFitsAnEightyColumnTerminal()
    {
        using var screen = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(screen), Ansi = AnsiSupport.Yes, Interactive = InteractionSupport.Yes, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 80;
        StageReport[] stages = [new("candidates", 123_456_789, 1), new("element filters", 120_000_000, 1), new("supply risk", 110_000_000, 1), new("features", 110_000_000, 1), new("formation-energy-accurate", 99_999_999, 1), new("hull", 88_888_888, 1), new("band-gap-pbe", 77_777_777, 1)];
        var line = ScreeningProgressView.Line(new ScreeningProgress(123_456_789, 987_654_321, 77_777_777, stages), 12.5);
        Assert.True(line.Length > 80, "the test needs a line longer than the terminal");
        await ScreeningProgressView.LiveAsync(console, async progress =>
        {
            for (var i = 1; i <= 3; i++)
            {
                progress.Report(new ScreeningProgress(i * 41_152_263L, 123_456_789, i * 1_000_000L, stages));
                await Task.Delay(300, TestContext.Current.CancellationToken);
            }

            return 0;
        });

        var visible = AnsiEscape().Replace(screen.ToString(), "\n");
        var lines = visible.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("screened ", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.True(l.TrimEnd().Length <= 80, $"{l.Length}: {l}"));
    }

    // Cursor movement and erase sequences become line breaks, so what remains is each rendered line.
    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]|\r")]
    private static partial Regex AnsiEscape();
}
