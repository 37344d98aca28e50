using System.Globalization;
using MaterialsDb.Data;
using MaterialsDb.Design.Campaigns;
using MaterialsDb.Models.Packages;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Design.Tests;

/// <summary>A campaign in a folder: start, report, next, show; bad files refused with nothing lost; a crash resumed.</summary>
public sealed class CampaignRunnerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static CampaignRunner Runner() => new(SharedFiles.MirrorStore(), new ModelRegistry(Path.Combine(SharedFiles.RepositoryRoot, "models")));

    // The synthetic grid as a discrete space written out, and 30 of its rows as the first observations.
    private async Task<(string Spec, Dictionary<string, double> Truth)> WriteGridCampaignAsync()
    {
        var (pool, truth) = Synthetic.Grid();
        var formulas = Enumerable.Range(0, pool.Count).Select(r => pool[r].ReducedFormula).ToArray();
        var byFormula = formulas.Select((f, i) => (f, i)).ToDictionary(x => x.f, x => truth[x.i]);
        var lines = Enumerable.Range(0, pool.Count).Where(i => i % 59 == 0).Select(i => string.Create(CultureInfo.InvariantCulture, $"{formulas[i]},{truth[i]}"));
        await File.WriteAllLinesAsync(_dir.File("initial.csv"), ["formula,measured_strength", .. lines], Ct);
        var spec = $$$"""
            name: grid
            seed: 5
            space:
              candidates: {formulas: [{{{string.Join(", ", formulas)}}}]}
            objectives: [{property: strength, goal: max}]
            observations: {csv: initial.csv, columns: {strength: measured_strength}}
            surrogate: {featurizer: fractions, members: 6, trees: 40}
            acquisition: {function: ei, batch: 6}
            """;
        await File.WriteAllTextAsync(_dir.File("grid.yaml"), spec, Ct);
        return (spec, byFormula);
    }

    private async Task<string> WriteResultsAsync(string name, IEnumerable<(string Formula, string Value)> rows)
    {
        var path = _dir.File(name);
        await File.WriteAllLinesAsync(path, ["formula,strength,operator", .. rows.Select(r => $"{r.Formula},{r.Value},alice")], Ct);
        return path;
    }

    [Fact]
    public async Task TheLoopRunsAndNothingIsProposedTwice()
    {
        var (spec, truth) = await WriteGridCampaignAsync();
        var folder = _dir.File("campaign");
        var runner = Runner();
        var first = await runner.StartAsync(spec, _dir.Path, folder, Ct);
        Assert.Equal(1, first.Round);
        Assert.Equal(6, first.Proposals.Count);
        Assert.Equal(31, first.ObservationsUsed);
        Assert.Equal(["round-001.csv", "round-001.parquet"], first.Files);

        // The batch file as a user's tool reads it.
        var parquet = DuckDb.Literal(Path.Combine(folder, "round-001.parquet"));
        Assert.Equal(6L, DuckDb.Scalar($"SELECT count(*) FROM {parquet}"));
        Assert.Equal(0L, DuckDb.Scalar($"SELECT count(*) FROM {parquet} WHERE strength_std <= 0 OR reason IS NULL OR acquisition IS NULL"));
        Assert.Equal(first.Proposals[0].Formula, DuckDb.Scalar($"SELECT formula FROM {parquet} WHERE rank = 1"));

        var observed = (await File.ReadAllLinesAsync(_dir.File("initial.csv"), Ct)).Skip(1).Select(l => l.Split(',')[0]).ToHashSet();
        Assert.All(first.Proposals, p => Assert.DoesNotContain(p.Formula, observed));

        // Results for four proposals and one composition nobody proposed; an extra column is ignored.
        var answered = first.Proposals.Take(4).Select(p => (p.Formula, truth[p.Formula].ToString(CultureInfo.InvariantCulture))).Append(("Fe", truth["Fe"].ToString(CultureInfo.InvariantCulture)));
        var summary = await runner.ReportAsync(folder, await WriteResultsAsync("r1.csv", answered), cancellationToken: Ct);
        Assert.Equal((5, 4), (summary.Added, summary.Matched));
        Assert.Equal(["operator"], summary.Ignored);

        var second = await runner.NextAsync(folder, Ct);
        Assert.Equal(2, second.Round);
        Assert.Equal(36, second.ObservationsUsed);
        // Neither observed nor still pending (the two unanswered proposals of round 1) is proposed again.
        var before = first.Proposals.Select(p => p.Formula).Append("Fe").ToHashSet();
        Assert.All(second.Proposals, p => Assert.DoesNotContain(p.Formula, before));

        var (_, parsed, state) = await CampaignRunner.LoadAsync(folder, Ct);
        var history = CampaignHistory.Of(parsed, state);
        Assert.Equal(3, history.Rows.Count);
        Assert.Equal([1, 6, 4, 36], history.Rows[1][..4]);
        Assert.True((double)history.Rows[1][4]! >= (double)history.Rows[0][4]!);
        Assert.NotNull(history.Rows[1][5]);
        Assert.Null(history.Rows[2][5]);
        Assert.Contains("strength", await File.ReadAllTextAsync(Path.Combine(folder, CampaignRunner.ObservationsFile), Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACrashBeforeTheStateIsSavedIsResumedWithTheSameBatch()
    {
        var (spec, _) = await WriteGridCampaignAsync();
        var folder = _dir.File("campaign");
        var runner = Runner();
        await runner.StartAsync(spec, _dir.Path, folder, Ct);
        var state = Path.Combine(folder, CampaignRunner.StateFile);
        var saved = await File.ReadAllBytesAsync(state, Ct);
        var round = await runner.NextAsync(folder, Ct);
        var batch = await File.ReadAllBytesAsync(Path.Combine(folder, "round-002.csv"), Ct);

        // The process "died" after writing the batch files but before replacing the state: the old state is back.
        await File.WriteAllBytesAsync(state, saved, Ct);
        var again = await runner.NextAsync(folder, Ct);
        Assert.Equal(2, again.Round);
        Assert.Equal(round.Proposals.Select(p => p.Formula), again.Proposals.Select(p => p.Formula));
        Assert.Equal(batch, await File.ReadAllBytesAsync(Path.Combine(folder, "round-002.csv"), Ct));
        Assert.Equal(2, (await CampaignRunner.LoadAsync(folder, Ct)).State.Rounds.Count);

        // A start that crashed before its first state can be run again in the same folder.
        var other = _dir.File("second");
        Directory.CreateDirectory(other);
        await File.WriteAllTextAsync(Path.Combine(other, CampaignRunner.SpecFile), spec, Ct);
        Assert.Equal(1, (await runner.StartAsync(spec, _dir.Path, other, Ct)).Round);
    }

    [Fact]
    public async Task BadFilesAreRefusedAndLoseNothing()
    {
        var (spec, _) = await WriteGridCampaignAsync();
        var folder = _dir.File("campaign");
        var runner = Runner();
        var first = await runner.StartAsync(spec, _dir.Path, folder, Ct);
        var state = Path.Combine(folder, CampaignRunner.StateFile);
        var saved = await File.ReadAllTextAsync(state, Ct);
        var formula = first.Proposals[0].Formula;

        async Task<string> Refused<T>(string file)
            where T : Exception
        {
            var e = await Assert.ThrowsAsync<T>(() => runner.ReportAsync(folder, file, cancellationToken: Ct));
            Assert.Equal(saved, await File.ReadAllTextAsync(state, Ct));
            return e.Message;
        }

        Assert.Contains("row 2: 'Xx2O': ", await Refused<InputDataException>(await WriteResultsAsync("bad-formula.csv", [(formula, "1"), ("Xx2O", "2")])), StringComparison.Ordinal);
        Assert.Contains("row 1: strength 'NaN' is not a number", await Refused<InputDataException>(await WriteResultsAsync("nan.csv", [(formula, "NaN")])), StringComparison.Ordinal);
        Assert.Contains("row 1: strength 'high' is not a number", await Refused<InputDataException>(await WriteResultsAsync("text.csv", [(formula, "high")])), StringComparison.Ordinal);
        Assert.Contains("row 1: no value for any property", await Refused<InputDataException>(await WriteResultsAsync("blank.csv", [(formula, string.Empty)])), StringComparison.Ordinal);
        await File.WriteAllTextAsync(_dir.File("empty.csv"), string.Empty, Ct);
        Assert.Contains("the file is empty", await Refused<InputDataException>(_dir.File("empty.csv")), StringComparison.Ordinal);
        await File.WriteAllLinesAsync(_dir.File("other.csv"), ["formula,hardness", $"{formula},3"], Ct);
        Assert.Contains("no column for any property (strength)", await Refused<InputDataException>(_dir.File("other.csv")), StringComparison.Ordinal);
        Assert.Contains("does not exist", await Refused<InputDataException>(_dir.File("missing.csv")), StringComparison.Ordinal);

        var good = await WriteResultsAsync("good.csv", [(formula, "50")]);
        Assert.Equal(1, (await runner.ReportAsync(folder, good, cancellationToken: Ct)).Matched);
        var twice = await Assert.ThrowsAsync<CampaignException>(() => runner.ReportAsync(folder, good, cancellationToken: Ct));
        Assert.Contains("was reported already", twice.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOptionException>(() => runner.ReportAsync(folder, good, new Dictionary<string, string> { ["hardness"] = "x" }, Ct));

        // A started campaign is not started over, and its spec cannot change under it.
        Assert.Contains("already holds a campaign", (await Assert.ThrowsAsync<CampaignException>(() => runner.StartAsync(spec, _dir.Path, folder, Ct))).Message, StringComparison.Ordinal);
        Directory.CreateDirectory(_dir.File("busy"));
        await File.WriteAllTextAsync(_dir.File(Path.Combine("busy", "notes.txt")), "mine", Ct);
        Assert.Contains("is not empty", (await Assert.ThrowsAsync<CampaignException>(() => runner.StartAsync(spec, _dir.Path, _dir.File("busy"), Ct))).Message, StringComparison.Ordinal);
        await File.AppendAllTextAsync(Path.Combine(folder, CampaignRunner.SpecFile), "\n# edited", Ct);
        Assert.Contains("changed since the campaign started", (await Assert.ThrowsAsync<CampaignException>(() => runner.NextAsync(folder, Ct))).Message, StringComparison.Ordinal);
        Assert.Contains("holds no campaign", (await Assert.ThrowsAsync<CampaignException>(() => runner.NextAsync(_dir.File("nowhere"), Ct))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSteelExampleProposesAlloysWithinItsSupplyRiskBound()
    {
        var spec = await File.ReadAllTextAsync(Path.Combine(SharedFiles.RepositoryRoot, "examples", "design", "steel-yield.yaml"), Ct);
        var round = await Runner().StartAsync(spec, _dir.Path, _dir.File("steel"), Ct);
        Assert.Equal(8, round.Proposals.Count);
        Assert.Equal(40, round.ObservationsUsed);
        var table = DuckDb.Rows($"SELECT hhi_production, weight_percent_Fe, weight_percent_Co, weight_percent_C FROM {DuckDb.Literal(_dir.File(Path.Combine("steel", "round-001.parquet")))}");
        Assert.All(table, row =>
        {
            Assert.True((double)row[0] <= 2300, $"HHI {row[0]}");
            Assert.InRange((double)row[2], 0, 15);
            Assert.InRange((double)row[3], 0, 0.5);
            Assert.True((double)row[1] >= 60, $"Fe {row[1]} wt%");
        });
        Assert.Equal(round.Proposals.OrderByDescending(p => p.Acquisition).Select(p => p.Formula), round.Proposals.Select(p => p.Formula));
    }
}
