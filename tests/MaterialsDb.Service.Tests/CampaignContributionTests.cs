using System.Globalization;
using MaterialsDb.Data;
using MaterialsDb.Database;
using MaterialsDb.Design.Campaigns;
using MaterialsDb.Models.Packages;
using MaterialsDb.Service.Materials;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Service.Tests;

/// <summary>
/// A campaign's reported results contributed to the shared materials database: each result once, with its units and
/// the campaign as provenance; bad settings refused with nothing stored; a contribution cut off before the campaign
/// recorded it is replayed, not stored twice.
/// </summary>
public sealed class CampaignContributionTests : IDisposable
{
    private const string Spec = """
        name: maraging
        seed: 4
        space:
          continuous:
            basis: weight
            unit: percent
            balance: Fe
            elements: {Ni: [0, 20], Co: [0, 15], Mo: [0, 6]}
            step: 0.01
        objectives: [{property: yield_strength, goal: max, units: MPa}]
        constraints: {hardness: {min: 100}}
        observations: {csv: first.csv}
        surrogate: {members: 4, trees: 30, featurizer: fractions}
        acquisition: {function: ei, batch: 4}
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Viewer Acme => new("acme", IsOperator: false);

    private async Task<(string Folder, IReadOnlyList<string> Proposed)> StartAsync()
    {
        var lines = new List<string> { "formula,yield_strength,hardness" };
        for (var i = 0; i < 24; i++)
        {
            var (ni, co) = (0.03 * (i % 6), 0.02 * (i / 6));
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"Fe{0.98 - ni - co:0.##}Ni{ni + 0.01:0.##}Co{co + 0.01:0.##},{800 + (3000 * ni) + (4000 * co)},{200 + (500 * ni)}"));
        }

        await File.WriteAllLinesAsync(_dir.File("first.csv"), lines, Ct);
        var folder = _dir.File("campaign");
        var runner = new CampaignRunner(SharedFiles.MirrorStore(), new ModelRegistry(Path.Combine(SharedFiles.RepositoryRoot, "models")));
        var round = await runner.StartAsync(Spec, _dir.Path, folder, Ct);
        return (folder, [.. round.Proposals.Select(p => p.Formula)]);
    }

    private async Task ReportAsync(string folder, string name, params string[] rows)
    {
        var path = _dir.File(name);
        await File.WriteAllLinesAsync(path, ["formula,yield_strength,hardness", .. rows], Ct);
        var runner = new CampaignRunner(SharedFiles.MirrorStore(), new ModelRegistry(Path.Combine(SharedFiles.RepositoryRoot, "models")));
        await runner.ReportAsync(folder, path, cancellationToken: Ct);
    }

    private static async Task<int> CountAsync(MaterialsDatabase database, Viewer viewer) =>
        (await database.QueryAsync(MaterialsQuery.Parse(null, null, null, 1000) with { Scheme = "experiment" }, viewer, Ct)).Count;

    [Fact]
    public async Task ReportedResultsBecomeEntriesOnceWithTheirUnitsAndProvenance()
    {
        var (folder, proposed) = await StartAsync();
        await ReportAsync(folder, "r1.csv", $"{proposed[0]},1500,310", $"{proposed[1]},1450,", "Fe0.9Ni0.1,1100,250");
        using var store = new MemoryMaterialsStore();
        await store.InitializeAsync(Ct);
        var database = new MaterialsDatabase(store);
        var statePath = Path.Combine(folder, CampaignRunner.StateFile);
        var before = await File.ReadAllTextAsync(statePath, Ct);
        var settings = new ContributionDefaults { Scheme = "experiment", Licence = "CC-BY-4.0", Reference = "doi:10.0/lab-42" };
        var hv = new Dictionary<string, string> { ["hardness"] = "HV" };

        // A property without units is named, with the way to give one; nothing is stored or recorded.
        var noUnit = await Assert.ThrowsAsync<CampaignException>(() => CampaignContributions.ContributeAsync(folder, database, Acme, settings, cancellationToken: Ct));
        Assert.Contains("'hardness' has no unit", noUnit.Message, StringComparison.Ordinal);
        Assert.Contains("--unit hardness=", noUnit.Message, StringComparison.Ordinal);

        // A DFT scheme needs formation energies: every result is named by its observation and formula.
        var dft = await Assert.ThrowsAsync<ContributionException>(() => CampaignContributions.ContributeAsync(folder, database, Acme, settings with { Scheme = "mp2020" }, hv, Ct));
        Assert.Contains($"observation 25 ({proposed[0]}): e_form_per_atom", dft.Message, StringComparison.Ordinal);
        Assert.Equal(3, dft.Problems.Count(p => p.Field.EndsWith("e_form_per_atom", StringComparison.Ordinal)));
        await Assert.ThrowsAsync<ContributionException>(() => CampaignContributions.ContributeAsync(folder, database, Acme, settings with { Visibility = "public" }, hv, Ct));
        await Assert.ThrowsAsync<CampaignException>(() => CampaignContributions.ContributeAsync(folder, database, Acme, settings, new Dictionary<string, string> { ["colour"] = "none" }, Ct));
        Assert.Equal(0, await CountAsync(database, Acme));
        Assert.Equal(before, await File.ReadAllTextAsync(statePath, Ct));

        var result = await CampaignContributions.ContributeAsync(folder, database, Acme, settings, hv, Ct);
        Assert.Equal(3, result.Ids.Count);
        Assert.False(result.Replayed);
        var first = await database.GetAsync(result.Ids[0], Acme, cancellationToken: Ct);
        Assert.Equal(proposed[0], first.Formula);
        Assert.Equal((1500.0, "MPa"), (first.Properties["yield_strength"].Value, first.Properties["yield_strength"].Unit));
        Assert.Equal((310.0, "HV"), (first.Properties["hardness"].Value, first.Properties["hardness"].Unit));
        Assert.Null(first.EFormPerAtom);
        Assert.Equal((SourceKind.Experiment, Visibility.Private, "acme"), (first.SourceKind, first.Visibility, first.Owner));
        Assert.Equal(("design campaign maraging", "doi:10.0/lab-42"), (first.Provenance.Label, first.Provenance.Reference));
        Assert.Equal("maraging", first.Method.Settings!.Value.GetProperty("campaign").GetString());
        Assert.Equal(1, first.Method.Settings!.Value.GetProperty("campaign_round").GetInt32());
        Assert.False((await database.GetAsync(result.Ids[1], Acme, cancellationToken: Ct)).Properties.ContainsKey("hardness"));

        // Private: another tenant sees none of it.
        await Assert.ThrowsAsync<EntryNotFoundException>(() => database.GetAsync(result.Ids[0], new Viewer("beta", false), cancellationToken: Ct));
        Assert.Equal(0, await CountAsync(database, new Viewer("beta", false)));

        // Once only.
        var again = await Assert.ThrowsAsync<CampaignException>(() => CampaignContributions.ContributeAsync(folder, database, Acme, settings, hv, Ct));
        Assert.Contains("were contributed already", again.Message, StringComparison.Ordinal);
        var state = (await CampaignRunner.LoadAsync(folder, Ct)).State;
        Assert.Equal(result.Ids, state.Contributions.Single().Ids);
        Assert.Equal([24, 25, 26], state.Contributions.Single().Observations);
        Assert.Equal(3, await CountAsync(database, Acme));
    }

    [Fact]
    public async Task ACampaignStartsFromWhatItsTenantSeesInTheSharedDatabaseAtOneVersion()
    {
        using var store = new MemoryMaterialsStore();
        await store.InitializeAsync(Ct);
        var database = new MaterialsDatabase(store);
        var measured = new ContributionDefaults { Scheme = "experiment", Licence = "CC-BY-4.0", Label = "lab" };
        ContributionRow Alloy(int i, string unit = "MPa", double scale = 1) => new()
        {
            Formula = string.Create(CultureInfo.InvariantCulture, $"Fe{0.9 - (0.01 * i):0.##}Ni{0.05 + (0.01 * i):0.##}Co0.05"),
            Properties = new Dictionary<string, PropertyValue> { ["yield_strength"] = new((900 + (40 * i)) * scale, unit) },
        };

        await database.ContributeAsync([.. Enumerable.Range(0, 20).Select(i => Alloy(i))], measured, Acme, cancellationToken: Ct);
        await database.ContributeAsync([.. Enumerable.Range(20, 5).Select(i => Alloy(i))], measured, new Viewer("beta"), cancellationToken: Ct);
        await database.ContributeAsync([.. Enumerable.Range(25, 3).Select(i => Alloy(i))], measured with { Visibility = "cluster" }, new Viewer("gamma"), cancellationToken: Ct);
        await database.ContributeAsync([new ContributionRow { Formula = "NiCo", Properties = new Dictionary<string, PropertyValue> { ["yield_strength"] = new(700, "MPa") } }], measured, Acme, cancellationToken: Ct);
        await database.ContributeAsync([new ContributionRow { Formula = "Fe0.9Ni0.1", BandGap = 0 }], measured, Acme, cancellationToken: Ct);

        var spec = Spec.Replace("constraints: {hardness: {min: 100}}\n", string.Empty, StringComparison.Ordinal)
            .Replace("observations: {csv: first.csv}", "observations: {database: {scheme: experiment, elements: [Fe]}}", StringComparison.Ordinal);
        var runner = new CampaignRunner(SharedFiles.MirrorStore(), new ModelRegistry(Path.Combine(SharedFiles.RepositoryRoot, "models")), new DatabaseObservationReader(_ => Task.FromResult(database), Acme));

        // Its own private entries and the cluster's, not beta's; NiCo has no iron; the band-gap entry holds no strength.
        var first = await runner.StartAsync(spec, _dir.Path, _dir.File("a"), Ct);
        Assert.Equal(23, first.ObservationsUsed);
        var state = (await CampaignRunner.LoadAsync(_dir.File("a"), Ct)).State;
        Assert.Equal(await database.ResolveVersionAsync(Acme, null, Ct), state.DatabaseVersion);
        Assert.Equal([.. Enumerable.Range(0, 20).Concat(Enumerable.Range(25, 3)).Select(i => 900.0 + (40 * i))], state.Observations.Select(o => o.Values["yield_strength"]!.Value).Order());

        // A strength in GPa is named, not mixed in; pinned to the first campaign's version, the same 23 are read.
        var gpa = await database.ContributeAsync([Alloy(3, "GPa", 0.001)], measured, Acme, cancellationToken: Ct);
        var mixed = await Assert.ThrowsAsync<InputDataException>(() => runner.StartAsync(spec, _dir.Path, _dir.File("b"), Ct));
        Assert.Contains($"units disagree: {gpa.Ids[0]} gives yield_strength in 'GPa', not 'MPa'", mixed.Message, StringComparison.Ordinal);
        var pinned = spec.Replace("elements: [Fe]", $"elements: [Fe], version: {state.DatabaseVersion}", StringComparison.Ordinal);
        var again = await runner.StartAsync(pinned, _dir.Path, _dir.File("c"), Ct);
        Assert.Equal(first.Proposals.Select(p => p.Formula), again.Proposals.Select(p => p.Formula));

        // Nothing that matches holds the objective, and a runner without the database says how to give it one.
        var none = await Assert.ThrowsAsync<InputDataException>(() => runner.StartAsync(spec.Replace("elements: [Fe]", "chemsys: Fe-Ni", StringComparison.Ordinal), _dir.Path, _dir.File("d"), Ct));
        Assert.Contains("1 entries match, none with a value for yield_strength", none.Message, StringComparison.Ordinal);
        var without = new CampaignRunner(SharedFiles.MirrorStore(), new ModelRegistry(Path.Combine(SharedFiles.RepositoryRoot, "models")));
        Assert.Contains("--postgres or --results", (await Assert.ThrowsAsync<InputDataException>(() => without.StartAsync(spec, _dir.Path, _dir.File("e"), Ct))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AContributionCutOffBeforeTheCampaignRecordedItIsReplayedNotDuplicated()
    {
        var (folder, proposed) = await StartAsync();
        await ReportAsync(folder, "r1.csv", $"{proposed[0]},1500,310", $"{proposed[1]},1450,290");
        using var store = new MemoryMaterialsStore();
        await store.InitializeAsync(Ct);
        var database = new MaterialsDatabase(store);
        var settings = new ContributionDefaults { Scheme = "experiment", Licence = "CC-BY-4.0", Label = "lab run 7", Visibility = "cluster" };
        var hv = new Dictionary<string, string> { ["hardness"] = "HV" };
        var statePath = Path.Combine(folder, CampaignRunner.StateFile);
        var saved = await File.ReadAllBytesAsync(statePath, Ct);
        var stored = await CampaignContributions.ContributeAsync(folder, database, Acme, settings, hv, Ct);

        // The process "died" after the database stored the batch and before the campaign recorded it.
        await File.WriteAllBytesAsync(statePath, saved, Ct);
        var replayed = await CampaignContributions.ContributeAsync(folder, database, Acme, settings, hv, Ct);
        Assert.True(replayed.Replayed);
        Assert.Equal(stored.Ids, replayed.Ids);
        Assert.Equal(stored.Version, replayed.Version);
        Assert.Equal(2, await CountAsync(database, Acme));
        Assert.Equal(stored.Ids, (await CampaignRunner.LoadAsync(folder, Ct)).State.Contributions.Single().Ids);

        // The same results with other settings after such a cut are refused, not stored again.
        await File.WriteAllBytesAsync(statePath, saved, Ct);
        var other = await Assert.ThrowsAsync<CampaignException>(() => CampaignContributions.ContributeAsync(folder, database, Acme, settings with { Visibility = "private" }, hv, Ct));
        Assert.Contains("with other settings", other.Message, StringComparison.Ordinal);
        Assert.Equal(2, await CountAsync(database, Acme));

        // Later results go in as a new contribution beside the first.
        await CampaignContributions.ContributeAsync(folder, database, Acme, settings, hv, Ct);
        await ReportAsync(folder, "r2.csv", $"{proposed[2]},1600,330");
        var later = await CampaignContributions.ContributeAsync(folder, database, Acme, settings, hv, Ct);
        Assert.Single(later.Ids);
        Assert.True(later.Version > stored.Version);
        Assert.Equal(3, await CountAsync(database, new Viewer("beta", false)));
        Assert.Equal(2, (await CampaignRunner.LoadAsync(folder, Ct)).State.Contributions.Count);
    }
}
