using MaterialsDb.Database;
using MaterialsDb.TestSupport;
using Npgsql;

namespace MaterialsDb.Service.Tests;

/// <summary>
/// The database's rules on both stores — the embedded one (memory + journal) and PostgreSQL — with the same cases, so
/// both behave alike: revisions, retractions, owners, visibility, versions, idempotency, refusals.
/// </summary>
public sealed class MaterialsStoreTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private static readonly ContributionDefaults Dft = new() { Scheme = "mp2020", Licence = "CC-BY-4.0", Reference = "doi:10.0/test" };
    private readonly TempDirectory _folder = new();

    public static TheoryData<string> Stores => ["memory", "postgres"];

    public void Dispose() => _folder.Dispose();

    private Task<IMaterialsStore> OpenAsync(string kind) => postgres.OpenMaterialsStoreAsync(kind, _folder.Path);

    private static ContributionRow Row(string formula, double eForm, string? visibility = null) => new() { Formula = formula, EFormPerAtom = eForm, Visibility = visibility };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task ChangesMakeRevisionsThatOldVersionsStillRead(string kind)
    {
        var ct = TestContext.Current.CancellationToken;
        var db = new MaterialsDatabase(await OpenAsync(kind));
        var a = new Viewer("acme");
        var first = await db.ContributeAsync([Row("Li2O", -2.0, "cluster"), Row("LiO2", -1.0, "cluster")], Dft, a, cancellationToken: ct);
        Assert.Equal(["mdb-1", "mdb-2"], first.Ids);
        Assert.Equal(1, first.Version);

        var changed = await db.ChangeAsync("mdb-1", a, new MaterialChange { EFormPerAtom = -2.1, ExpectedRevision = 1 }, ct);
        Assert.Equal((2, 2L, -2.1), (changed.Revision, changed.Version, changed.EFormPerAtom!.Value));
        Assert.Equal(-2.0, (await db.GetAsync("mdb-1", a, asOfVersion: 1, ct)).EFormPerAtom);
        Assert.Equal(-2.1, (await db.GetAsync("mdb-1", a, cancellationToken: ct)).EFormPerAtom);
        var history = await db.HistoryAsync("mdb-1", a, ct);
        Assert.Equal([1, 2], history.Select(r => r.Revision));
        Assert.Equal(2, history[0].SupersededVersion);

        // A stale revision number is refused; nothing changes.
        await Assert.ThrowsAsync<EntryConflictException>(() => db.ChangeAsync("mdb-1", a, new MaterialChange { EFormPerAtom = -3, ExpectedRevision = 1 }, ct));

        // Retraction: a tombstone; queries leave it out from that version on, older versions still hold it.
        var tombstone = await db.RetractAsync("mdb-2", a, ct);
        Assert.True(tombstone.Retracted);
        var all = new MaterialsQuery(null, null, null, 100);
        Assert.Equal(["mdb-1"], (await db.QueryAsync(all, a, ct)).Select(e => e.Id));
        Assert.Equal(["mdb-1", "mdb-2"], (await db.QueryAsync(all with { AsOfVersion = 2 }, a, ct)).Select(e => e.Id));
        await Assert.ThrowsAsync<EntryConflictException>(() => db.ChangeAsync("mdb-2", a, new MaterialChange { EFormPerAtom = -1 }, ct));

        // Ids are never reused.
        Assert.Equal(["mdb-3"], (await db.ContributeAsync([Row("Li2O2", -1.5)], Dft, a, cancellationToken: ct)).Ids);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task OwnersVisibilityAndVersionsKeepTenantsApart(string kind)
    {
        var ct = TestContext.Current.CancellationToken;
        var db = new MaterialsDatabase(await OpenAsync(kind));
        var (a, b, op) = (new Viewer("acme"), new Viewer("beta"), new Viewer("ops", IsOperator: true));
        await db.ContributeAsync([Row("NaCl", -2.0, "cluster")], Dft, a, cancellationToken: ct);
        var bVersion = await db.ResolveVersionAsync(b, null, ct);

        var secret = await db.ContributeAsync([Row("Na2Cl", -1.0)], Dft, a, cancellationToken: ct);
        Assert.Equal("private", (await db.GetAsync(secret.Ids[0], a, cancellationToken: ct)).Visibility.ToString().ToLowerInvariant());

        // B cannot see it, cannot tell it from a missing id, and its version does not move.
        var missing = await Assert.ThrowsAsync<EntryNotFoundException>(() => db.GetAsync(secret.Ids[0], b, cancellationToken: ct));
        var none = await Assert.ThrowsAsync<EntryNotFoundException>(() => db.GetAsync("mdb-999", b, cancellationToken: ct));
        Assert.Equal(missing.Message.Replace(secret.Ids[0], "X", StringComparison.Ordinal), none.Message.Replace("mdb-999", "X", StringComparison.Ordinal));
        Assert.Equal(bVersion, await db.ResolveVersionAsync(b, null, ct));
        Assert.Equal(["NaCl"], (await db.QueryAsync(new MaterialsQuery(null, null, null, 100), b, ct)).Select(e => e.Formula));
        Assert.Equal(2, (await db.QueryAsync(new MaterialsQuery(null, null, null, 100), a, ct)).Count);
        Assert.Empty(await db.QueryAsync(new MaterialsQuery(null, null, null, 100), Viewer.Anonymous, ct));

        // Only the owner changes an entry; only operators publish.
        await Assert.ThrowsAsync<EntryForbiddenException>(() => db.ChangeAsync("mdb-1", b, new MaterialChange { EFormPerAtom = -5 }, ct));
        await Assert.ThrowsAsync<EntryForbiddenException>(() => db.ChangeAsync("mdb-1", a, new MaterialChange { Visibility = "public" }, ct));
        await Assert.ThrowsAsync<ContributionException>(() => db.ContributeAsync([Row("KCl", -2.2, "public")], Dft, a, cancellationToken: ct));
        var published = await db.ChangeAsync("mdb-1", op, new MaterialChange { Visibility = "public" }, ct);
        Assert.Equal(("acme", Visibility.Public), (published.Owner, published.Visibility));
        Assert.Equal(["NaCl"], (await db.QueryAsync(new MaterialsQuery(null, null, null, 100), Viewer.Anonymous, ct)).Select(e => e.Formula));

        // Making its own entry private again is a change B observes (the entry leaves B's view): B's version moves.
        var before = await db.ResolveVersionAsync(b, null, ct);
        await db.ChangeAsync(secret.Ids[0], a, new MaterialChange { Visibility = "cluster" }, ct);
        Assert.True(await db.ResolveVersionAsync(b, null, ct) > before);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task ABadBatchIsRefusedWholeNamingEveryRow(string kind)
    {
        var ct = TestContext.Current.CancellationToken;
        var store = await OpenAsync(kind);
        var db = new MaterialsDatabase(store);
        ContributionRow[] rows =
        [
            Row("Li2O", -2.0),
            Row("Li2Xx", -1.0),
            Row("LiCl", double.NaN),
            Row("NaCl", -42),
            new ContributionRow { Formula = "KCl" },
            new ContributionRow { Formula = "KBr", EFormPerAtom = -1.8, Scheme = "ml", SourceKind = "dft" },
            new ContributionRow { Formula = "CsI", EFormPerAtom = -1.5, BandGap = -1 },
            new ContributionRow { Formula = "GaAs", Scheme = "experiment" },
        ];
        var refused = await Assert.ThrowsAsync<ContributionException>(() => db.ContributeAsync(rows, Dft, new Viewer("acme"), cancellationToken: ct));
        var fields = refused.Problems.Select(p => p.Field).ToArray();
        Assert.Equal(["row 2: formula", "row 3: e_form_per_atom", "row 4: e_form_per_atom", "row 5: e_form_per_atom", "row 6: source_kind", "row 7: band_gap", "row 8: e_form_per_atom"], fields);
        Assert.Contains("needs e_form_per_atom, band_gap or a property", refused.Problems[^1].Message, StringComparison.Ordinal);
        Assert.Equal(0, await store.LatestVersionAsync(ct));
        Assert.Empty(await db.QueryAsync(new MaterialsQuery(null, null, null, 100), new Viewer("acme"), ct));

        var noProvenance = await Assert.ThrowsAsync<ContributionException>(() => db.ContributeAsync([Row("Li2O", -2.0)], new ContributionDefaults { Scheme = "mp2020" }, new Viewer("acme"), cancellationToken: ct));
        Assert.Equal(["row 1: licence", "row 1: reference"], noProvenance.Problems.Select(p => p.Field));
        await Assert.ThrowsAsync<EntryForbiddenException>(() => db.ContributeAsync([Row("Li2O", -2.0)], Dft, Viewer.Anonymous, cancellationToken: ct));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task MeasuredEntriesMayCarryOnlyABandGapOrAPropertyAndStayOutOfHullsAndEnergyRanges(string kind)
    {
        var ct = TestContext.Current.CancellationToken;
        var store = await OpenAsync(kind);
        var db = new MaterialsDatabase(store);
        var a = new Viewer("acme");
        var measured = new ContributionDefaults { Scheme = "experiment", Licence = "CC-BY-4.0", Label = "lab" };
        var stored = await db.ContributeAsync(
            [
                new ContributionRow { Formula = "GaAs", BandGap = 1.42 },
                new ContributionRow { Formula = "Fe0.8Ni0.2", Properties = new Dictionary<string, PropertyValue> { ["yield_strength"] = new(1450, "MPa") } },
            ],
            measured, a, cancellationToken: ct);
        await db.ContributeAsync([Row("GaAs", -0.4)], Dft, a, cancellationToken: ct);

        var gaas = await db.GetAsync(stored.Ids[0], a, cancellationToken: ct);
        Assert.Equal((null, 1.42), (gaas.EFormPerAtom, gaas.BandGap));
        Assert.Equal(1450, (await db.GetAsync(stored.Ids[1], a, cancellationToken: ct)).Properties["yield_strength"].Value);

        // Without a formation energy, nothing places them on an energy axis: not a range filter, not a hull.
        Assert.Empty(await db.QueryAsync(new MaterialsQuery(null, null, null, 100) { Scheme = "experiment", EFormMax = 0 }, a, ct));
        Assert.Equal(2, (await db.QueryAsync(new MaterialsQuery(null, null, null, 100) { Scheme = "experiment" }, a, ct)).Count);
        var (_, hullEntries) = await db.HullAsync("mp2020", [31, 33], a, await db.ResolveVersionAsync(a, null, ct), ct);
        Assert.Equal(["GaAs"], hullEntries.Select(e => e.Formula));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task AnIdempotencyKeyMakesARetrySafe(string kind)
    {
        var ct = TestContext.Current.CancellationToken;
        var store = await OpenAsync(kind);
        var db = new MaterialsDatabase(store);
        var a = new Viewer("acme");
        var first = await db.ContributeAsync([Row("Li2O", -2.0), Row("Li2S", -1.5)], Dft, a, new IdempotencyKey("batch-7", "sha-1"), ct);
        var again = await db.ContributeAsync([Row("Li2O", -2.0), Row("Li2S", -1.5)], Dft, a, new IdempotencyKey("batch-7", "sha-1"), ct);
        Assert.Equal(first.Ids, again.Ids);
        Assert.True(again.Replayed);
        Assert.Equal(1, await store.LatestVersionAsync(ct));
        Assert.Equal(2, (await db.QueryAsync(new MaterialsQuery(null, null, null, 100), a, ct)).Count);
        await Assert.ThrowsAsync<EntryConflictException>(() => db.ContributeAsync([Row("Li2O", -2.0)], Dft, a, new IdempotencyKey("batch-7", "sha-2"), ct));

        // Keys are per tenant.
        Assert.False((await db.ContributeAsync([Row("Li2O", -2.0)], Dft, new Viewer("beta"), new IdempotencyKey("batch-7", "sha-1"), ct)).Replayed);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task HullsMixOneDftSchemeOnly(string kind)
    {
        var ct = TestContext.Current.CancellationToken;
        var db = new MaterialsDatabase(await OpenAsync(kind));
        var a = new Viewer("acme");
        await db.ContributeAsync([Row("Li2O", -2.0, "cluster"), Row("Li2O2", -1.5, "cluster")], Dft, a, cancellationToken: ct);
        await db.ContributeAsync([Row("Li2O", -3.0, "cluster")], Dft with { Scheme = "r2scan" }, a, cancellationToken: ct);
        await db.ContributeAsync([Row("LiO2", -5.0, "cluster")], Dft with { Scheme = "experiment" }, a, cancellationToken: ct);
        var version = await db.ResolveVersionAsync(a, null, ct);
        int[] liO = [3, 8];
        var (mp, mpEntries) = await db.HullAsync("mp2020", liO, a, version, ct);
        Assert.Equal(["Li2O", "Li2O2"], mpEntries.Select(e => e.Formula));
        Assert.Contains(mp.StableEntries, e => e.Id == "mdb-1");
        var (r2, r2Entries) = await db.HullAsync("r2scan", liO, a, version, ct);
        Assert.Equal(["Li2O"], r2Entries.Select(e => e.Formula));
        Assert.Equal(-3.0, r2.GetHullEnergy(Chemistry.Composition.Parse("Li2O")), 12);
        Assert.Throws<MaterialsDbException>(() => MaterialsDatabase.HullScheme("experiment"));
        Assert.Throws<MaterialsDbException>(() => MaterialsDatabase.HullScheme("nope"));

        // The hull as of the first version had no r2scan entries at all.
        Assert.Empty((await db.HullAsync("r2scan", liO, a, 1, ct)).Entries);
    }

    [Fact]
    public async Task TheEmbeddedJournalSurvivesARestartAndATornLine()
    {
        var ct = TestContext.Current.CancellationToken;
        var folder = Path.Combine(_folder.Path, "journal");
        var a = new Viewer("acme");
        using (var store = new MemoryMaterialsStore(folder))
        {
            await store.InitializeAsync(ct);
            var db = new MaterialsDatabase(store);
            await db.ContributeAsync([Row("Li2O", -2.0), Row("Li2S", -1.5)], Dft, a, new IdempotencyKey("k", "s"), ct);
            await db.ChangeAsync("mdb-2", a, new MaterialChange { EFormPerAtom = -1.6 }, ct);

            // A second process cannot open it for writing.
            using var other = new MemoryMaterialsStore(folder);
            await Assert.ThrowsAsync<MaterialsDbException>(() => other.InitializeAsync(ct));
        }

        // A crash while appending leaves half a line: never acknowledged, dropped on replay.
        await File.AppendAllTextAsync(Path.Combine(folder, "journal.jsonl"), "{\"version\":3,\"revisions\":[{\"numb", ct);
        using (var store = new MemoryMaterialsStore(folder))
        {
            await store.InitializeAsync(ct);
            var db = new MaterialsDatabase(store);
            Assert.Equal(2, await store.LatestVersionAsync(ct));
            Assert.Equal(-1.6, (await db.GetAsync("mdb-2", a, cancellationToken: ct)).EFormPerAtom);
            Assert.Equal(-1.5, (await db.GetAsync("mdb-2", a, 1, ct)).EFormPerAtom);
            Assert.True((await db.ContributeAsync([Row("Li2O", -2.0), Row("Li2S", -1.5)], Dft, a, new IdempotencyKey("k", "s"), ct)).Replayed);
            Assert.Equal(["mdb-3"], (await db.ContributeAsync([Row("LiCl", -2.1)], Dft, a, cancellationToken: ct)).Ids);
        }

        using (var store = new MemoryMaterialsStore(folder))
        {
            await store.InitializeAsync(ct);
            Assert.Equal(3, await store.LatestVersionAsync(ct));
        }
    }

    [Fact]
    public void OptimadeFormulaFieldsFollowTheSpecification()
    {
        var f = FormulaFields.Of(Chemistry.Composition.Parse("Fe4O6"));
        Assert.Equal(["Fe", "O"], f.Elements);
        Assert.Equal([0.4, 0.6], f.ElementRatios.Select(r => Math.Round(r, 12)));
        Assert.Equal(("Fe2O3", "A3B2", "Fe4O6"), (f.OptimadeReduced, f.Anonymous, f.Hill));
        Assert.Equal("CH4", FormulaFields.Of(Chemistry.Composition.Parse("H4C")).Hill);
        Assert.Equal("Li2O", FormulaFields.Of(Chemistry.Composition.Parse("Li0.5O0.25")).OptimadeReduced);
        Assert.Null(FormulaFields.Of(Chemistry.Composition.Parse("LiO0.3217")).OptimadeReduced);
        Assert.Equal(["A", "Z", "Aa", "Ba", "Ab"], new[] { 0, 25, 26, 27, 52 }.Select(FormulaFields.AnonymousLabel));
    }
}
