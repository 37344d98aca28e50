using MaterialsDb.Database;
using MaterialsDb.Database.Filters;
using MaterialsDb.TestSupport;
using Npgsql;

namespace MaterialsDb.Service.Tests;

/// <summary>
/// The OPTIMADE filter language on a small fixed dataset, run by both stores (in memory and translated to SQL in
/// PostgreSQL): every case's expected entries were worked out by hand from the table below, and both stores must
/// return exactly them.
/// </summary>
public sealed class OptimadeFilterTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    // The dataset (ids by contribution order):
    //  1 Fe2O3   -1.7   mp2020 dft  public  (ops) band gap 2.0, VASP PBE+U, label hematite
    //  2 FeO     -1.4 → -1.45 (revision 2, version 3) public (ops)
    //  3 Li2O    -2.07  public (ops) band gap 5.0
    //  4 LiFePO4 -2.5   public (ops)
    //  5 SiO2    -3.0   oqmd  cluster (acme)
    //  6 Si       0.0   cluster (acme), retracted at version 4
    //  7 CH4     -0.1   cluster (acme)
    //  8 Li0.1234Fe -0.05 experiment cluster (acme): no integer formula
    //  9 NaCl    -2.1   ml private (acme)
    // 10 Fe3O4   -1.65  private (acme), label batch "7" \ main
    private static readonly int[] AllLatest = [1, 2, 3, 4, 5, 7, 8, 9, 10];

    private readonly TempDirectory _folder = new();

    public static TheoryData<string> Stores => ["memory", "postgres"];

    public static TheoryData<string, int[]> Cases => new()
    {
        { "nelements=2", [1, 2, 3, 5, 7, 8, 9, 10] },
        { "2 = nelements", [1, 2, 3, 5, 7, 8, 9, 10] },
        { "nelements>=3", [4] },
        { "3 <= nelements", [4] },
        { "nelements > 2.5", [4] },
        { "elements HAS \"Fe\"", [1, 2, 4, 8, 10] },
        { "elements HAS =\"Fe\"", [1, 2, 4, 8, 10] },
        { "elements HAS ALL \"Fe\",\"O\"", [1, 2, 4, 10] },
        { "elements HAS ANY \"Na\", \"Si\"", [5, 9] },
        { "elements HAS ONLY \"Fe\",\"O\"", [1, 2, 10] },
        { "elements HAS ONLY \"Fe\",\"O\",\"Li\",\"P\"", [1, 2, 3, 4, 8, 10] },
        { "elements LENGTH 4", [4] },
        { "elements LENGTH >= 2", AllLatest },
        { "elements_ratios HAS 0.4", [1] },
        { "elements_ratios HAS ALL 0.5", [2, 9] },
        { "chemical_formula_reduced = \"Fe2O3\"", [1] },
        { "chemical_formula_reduced IS UNKNOWN", [8] },
        { "chemical_formula_reduced IS KNOWN AND nelements = 2", [1, 2, 3, 5, 7, 9, 10] },
        { "chemical_formula_anonymous = \"AB\"", [2, 9] },
        { "chemical_formula_anonymous=\"A4BCD\"", [4] },
        { "chemical_formula_hill STARTS WITH \"Fe\"", [1, 2, 4, 10] },
        { "chemical_formula_hill STARTS \"Fe\"", [1, 2, 4, 10] },
        { "chemical_formula_hill = \"CH4\"", [7] },
        { "chemical_formula_descriptive CONTAINS \"O4\"", [4, 10] },
        { "chemical_formula_reduced ENDS WITH \"O\"", [2, 3] },
        { "chemical_formula_reduced ENDS \"O\"", [2, 3] },
        { "chemical_formula_reduced > \"Li\"", [3, 5] },
        { "_mdb_formation_energy_per_atom < -2", [3, 4, 5, 9] },
        { "-2 > _mdb_formation_energy_per_atom", [3, 4, 5, 9] },
        { "_mdb_formation_energy_per_atom >= -1.45 AND _mdb_formation_energy_per_atom <= -5E-2", [2, 7, 8] },
        { "_mdb_formation_energy_per_atom = -.1", [7] },
        { "_mdb_band_gap > 1", [1, 3] },
        { "_mdb_band_gap IS KNOWN", [1, 3] },
        { "NOT _mdb_band_gap > 1", [2, 4, 5, 7, 8, 9, 10] },
        { "_mdb_band_gap != 2", [3] },
        { "NOT elements HAS \"Fe\" AND nelements = 2", [3, 5, 7, 9] },
        { "NOT (elements HAS \"Fe\" AND nelements = 2)", [3, 4, 5, 7, 9] },
        { "elements HAS \"Li\" OR elements HAS \"Si\" AND nelements = 2", [3, 4, 5, 8] },
        { "(elements HAS \"Li\" OR elements HAS \"Si\") AND nelements = 2", [3, 5, 8] },
        { "((elements HAS \"Li\"))", [3, 4, 8] },
        { "_mdb_energy_scheme = \"oqmd\" OR _mdb_source_kind = \"ml\"", [5, 9] },
        { "_mdb_visibility = \"private\"", [9, 10] },
        { "_mdb_label = \"batch \\\"7\\\" \\\\ main\"", [10] },
        { "_mdb_label CONTAINS \"\\\"\"", [10] },
        { "_mdb_code = \"VASP\" AND _mdb_functional = \"PBE+U\"", [1] },
        { "_mdb_revision > 1", [2] },
        { "_mdb_owner = \"ops\" AND NOT _mdb_formation_energy_per_atom < -2", [1, 2] },
        { "id = \"mdb-3\"", [3] },
        { "\"mdb-3\" = id", [3] },
        { "id = \"mdb-03\"", [] },
        { "id != \"mdb-3\"", [1, 2, 4, 5, 7, 8, 9, 10] },
        { "id < \"mdb-2\"", [1, 10] },
        { "id >= \"mdb-9\"", [9] },
        { "immutable_id = \"mdb-2@2\"", [2] },
        { "type = \"structures\"", AllLatest },
        { "last_modified > \"2000-01-01T00:00:00Z\"", AllLatest },
        { "last_modified < \"2000-01-01T00:00:00Z\"", [] },
        { "structure_features LENGTH 0", AllLatest },
        { "structure_features HAS \"disorder\"", [] },
        { "nsites IS UNKNOWN", AllLatest },
        { "lattice_vectors IS UNKNOWN", AllLatest },
        { "nperiodic_dimensions = 3", [] },
        { "NOT nperiodic_dimensions = 3", AllLatest },
        { "species_at_sites HAS \"Fe\"", [] },
        { "_exmpl_band_gap > 1", [] },
        { "_exmpl_band_gap IS UNKNOWN", AllLatest },
        { "NOT _exmpl_band_gap > 1 AND nelements = 4", [4] },
        { "\"Fe\" = \"Fe\"", AllLatest },
        { "1 > 2", [] },
        { " \t\nnelements\n=\n4 ", [4] },
    };

    public void Dispose() => _folder.Dispose();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BothStoresReturnTheEntriesWorkedOutByHand(string filter, int[] expected)
    {
        foreach (var kind in Stores)
        {
            var (db, acme) = await DatasetAsync(kind);
            var bound = EntryFields.Bind(FilterParser.Parse(filter), new List<string>());
            var page = await db.Store.FilterAsync(bound, acme, 4, 0, 0, 100, cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(expected.Select(n => $"mdb-{n}").SequenceEqual(page.Entries.Select(e => e.Id)), $"{kind}: '{filter}' gave [{string.Join(", ", page.Entries.Select(e => e.Id))}], expected [{string.Join(", ", expected)}]");
            Assert.Equal(expected.Length, page.Matching);
            Assert.False(page.More);
        }
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task ViewsVersionsAndPagesAgree(string kind)
    {
        var ct = TestContext.Current.CancellationToken;
        var (db, _) = await DatasetAsync(kind);
        var two = EntryFields.Bind(FilterParser.Parse("nelements = 2"), new List<string>());

        // Another tenant sees public and cluster entries only; an anonymous reader public ones.
        Assert.Equal(new[] { 1, 2, 3, 5, 7, 8 }, Numbers(await db.Store.FilterAsync(two, new Viewer("beta"), 4, 0, 0, 100, cancellationToken: ct)));
        Assert.Equal(new[] { 1, 2, 3 }, Numbers(await db.Store.FilterAsync(two, Viewer.Anonymous, 4, 0, 0, 100, cancellationToken: ct)));

        // As of version 2, FeO still has its first energy and Si is not yet retracted.
        var acme = new Viewer("acme");
        var old = EntryFields.Bind(FilterParser.Parse("_mdb_formation_energy_per_atom = -1.4 OR elements HAS ONLY \"Si\""), new List<string>());
        Assert.Equal(new[] { 2, 6 }, Numbers(await db.Store.FilterAsync(old, acme, 2, 0, 0, 100, cancellationToken: ct)));
        Assert.Empty((await db.Store.FilterAsync(old, acme, 4, 0, 0, 100, cancellationToken: ct)).Entries);
        Assert.Empty((await db.Store.FilterAsync(null, acme, 0, 0, 0, 100, cancellationToken: ct)).Entries);

        // Pages by offset and by "above" cover the matches once each; More says when one follows.
        var first = await db.Store.FilterAsync(two, acme, 4, 0, 0, 3, cancellationToken: ct);
        Assert.Equal(new[] { 1, 2, 3 }, Numbers(first));
        Assert.Equal((8L, true), (first.Matching, first.More));
        var uncounted = await db.Store.FilterAsync(two, acme, 4, 0, 0, 3, count: false, cancellationToken: ct);
        Assert.Equal(new[] { 1, 2, 3 }, Numbers(uncounted));
        Assert.Equal((-1L, true), (uncounted.Matching, uncounted.More));
        var next = await db.Store.FilterAsync(two, acme, 4, 3, 0, 3, cancellationToken: ct);
        Assert.Equal([5, 7, 8], Numbers(next));
        var offset = await db.Store.FilterAsync(two, acme, 4, 3, 1, 10, cancellationToken: ct);
        Assert.Equal(new[] { 7, 8, 9, 10 }, Numbers(offset));
        Assert.False(offset.More);

        // A formation-energy range: PostgreSQL sorts its matches' ids instead of walking them; the pages are the same.
        var energy = EntryFields.Bind(FilterParser.Parse("_mdb_formation_energy_per_atom < -1 AND NOT _mdb_formation_energy_per_atom > -1.5"), new List<string>());
        var firstEnergy = await db.Store.FilterAsync(energy, acme, 4, 0, 0, 2, cancellationToken: ct);
        Assert.Equal(new[] { 1, 3 }, Numbers(firstEnergy));
        Assert.Equal((6L, true), (firstEnergy.Matching, firstEnergy.More));
        Assert.Equal(new[] { 4, 5 }, Numbers(await db.Store.FilterAsync(energy, acme, 4, 3, 0, 2, cancellationToken: ct)));
        var lastEnergy = await db.Store.FilterAsync(energy, acme, 4, 3, 1, 5, cancellationToken: ct);
        Assert.Equal(new[] { 5, 9, 10 }, Numbers(lastEnergy));
        Assert.False(lastEnergy.More);
        Assert.Equal(new[] { 1, 3, 4, 5 }, Numbers(await db.Store.FilterAsync(energy, new Viewer("beta"), 4, 0, 0, 5, cancellationToken: ct)));
    }

    [Fact]
    public async Task ElementCountFiltersCountedFromTheSumsAgreeWithTheRowsAtEveryVersionAndView()
    {
        var ct = TestContext.Current.CancellationToken;
        var counted = new[] { "nelements = 2", "nelements >= 3", "NOT nelements = 2", "nelements = 1 OR nelements > 2.5", "nelements IS KNOWN", "1 > 2", null };

        // One element, or HAS ANY of two or three, with conditions on nelements: counted from the per-element sums
        // (HAS ANY by inclusion–exclusion). The others name elements otherwise and are counted from the rows.
        var perElement = new[]
        {
            "elements HAS \"Fe\"", "nelements = 2 AND elements HAS \"O\"", "elements HAS ALL \"Li\" AND nelements >= 2",
            "(elements HAS ANY \"Fe\",\"Fe\" AND NOT nelements = 3) AND nelements < 4", "elements HAS \"Si\" AND (nelements = 1 OR nelements = 2)",
            "elements HAS \"Xe\"", "elements HAS ANY \"Fe\",\"Li\" AND nelements = 2", "elements HAS ANY \"O\",\"Fe\",\"Si\"",
            "nelements <= 3 AND elements HAS ANY \"Li\",\"O\",\"Li\"",
        };
        var twoElements = new[]
        {
            "elements HAS \"Fe\" AND elements HAS ALL \"Fe\",\"O\"", "elements HAS ALL \"Fe\",\"O\"", "elements HAS ANY \"Fe\",\"Li\",\"O\",\"Si\"",
            "elements HAS ONLY \"Fe\",\"O\"", "elements HAS \"Fe\" OR nelements = 1", "elements HAS \"O\" AND _mdb_formation_energy_per_atom < -1.5",
        };
        string?[] filters = [.. counted, .. perElement, .. twoElements];
        var viewers = new[] { new Viewer("acme"), new Viewer("beta"), Viewer.Anonymous, new Viewer("ops", IsOperator: true) };
        FilterNode? Bind(string? text) => text is null ? null : EntryFields.Bind(FilterParser.Parse(text), new List<string>());

        // Beyond the fixed dataset: private entries made visible to the cluster and a public one retracted, so rows
        // leave one group and enter another.
        var connection = await postgres.CreateDatabaseAsync();
        async Task<(MaterialsDatabase Db, long Latest)> BuildAsync(string kind)
        {
            var (db, acme) = await DatasetAsync(kind, kind == "postgres" ? new PostgresMaterialsStore(NpgsqlDataSource.Create(connection)) : null);
            await db.ChangeAsync("mdb-9", acme, new MaterialChange { Visibility = "cluster" }, ct);
            await db.ChangeAsync("mdb-10", acme, new MaterialChange { Visibility = "cluster", EFormPerAtom = -1.6 }, ct);
            await db.RetractAsync("mdb-3", new Viewer("ops", IsOperator: true), ct);
            return (db, await db.Store.LatestVersionAsync(ct));
        }

        async Task<long[]> CountsAsync(MaterialsDatabase db, long latest, bool forceRows, string?[]? only = null)
        {
            var counts = new List<long>();
            foreach (var text in only ?? filters)
            {
                // "id IS KNOWN" is true of every entry but not a condition on nelements: the store counts rows.
                var filter = Bind(forceRows ? (text is null ? "id IS KNOWN" : $"({text}) AND id IS KNOWN") : text);
                for (var version = 0L; version <= latest; version++)
                {
                    foreach (var viewer in viewers)
                    {
                        counts.Add((await db.Store.FilterAsync(filter, viewer, version, 0, 0, 1, cancellationToken: ct)).Matching);
                    }
                }
            }

            return [.. counts];
        }

        var (memory, memoryLatest) = await BuildAsync("memory");
        var (postgresDb, latest) = await BuildAsync("postgres");
        Assert.Equal(7, latest);
        Assert.Equal(memoryLatest, latest);
        var expected = await CountsAsync(memory, latest, forceRows: true);
        Assert.Contains(expected, c => c > 0);
        Assert.Equal(expected, await CountsAsync(memory, latest, forceRows: false));
        Assert.Equal(expected, await CountsAsync(postgresDb, latest, forceRows: true));
        Assert.Equal(expected, await CountsAsync(postgresDb, latest, forceRows: false));

        // A database written before the sums existed gets them from its rows when a node starts; with either table
        // emptied, the counts it answers change (so they were read).
        foreach (var (table, answers) in new[] { ("live_counts", counted), ("live_element_counts", perElement) })
        {
            var before = await CountsAsync(postgresDb, latest, forceRows: false, answers);
            await using (var wipe = NpgsqlDataSource.Create(connection).CreateCommand($"DELETE FROM materialsdb.{table}"))
            {
                await wipe.ExecuteNonQueryAsync(ct);
            }

            Assert.NotEqual(before, await CountsAsync(postgresDb, latest, forceRows: false, answers));
            await postgresDb.Store.InitializeAsync(ct);
            Assert.Equal(before, await CountsAsync(postgresDb, latest, forceRows: false, answers));
        }

        Assert.Equal(expected, await CountsAsync(postgresDb, latest, forceRows: false));
    }

    private static int[] Numbers(FilterPage page) => [.. page.Entries.Select(e => (int)e.Number)];

    private async Task<(MaterialsDatabase Db, Viewer Acme)> DatasetAsync(string kind, IMaterialsStore? store = null)
    {
        var ct = TestContext.Current.CancellationToken;
        if (store is not null)
        {
            await store.InitializeAsync(ct);
        }

        var db = new MaterialsDatabase(store ?? await postgres.OpenMaterialsStoreAsync(kind, _folder.Path));
        var (ops, acme) = (new Viewer("ops", IsOperator: true), new Viewer("acme"));
        var defaults = new ContributionDefaults { Scheme = "mp2020", Licence = "CC-BY-4.0", Reference = "doi:10.0/filters", Visibility = "cluster" };
        await db.ContributeAsync(
            [
                new() { Formula = "Fe2O3", EFormPerAtom = -1.7, BandGap = 2.0, Method = new MethodInfo("VASP", "PBE+U"), Label = "hematite", Visibility = "public" },
                new() { Formula = "FeO", EFormPerAtom = -1.4, Visibility = "public" },
                new() { Formula = "Li2O", EFormPerAtom = -2.07, BandGap = 5.0, Visibility = "public" },
                new() { Formula = "LiFePO4", EFormPerAtom = -2.5, Visibility = "public" },
            ], defaults, ops, cancellationToken: ct);
        await db.ContributeAsync(
            [
                new() { Formula = "SiO2", EFormPerAtom = -3.0, Scheme = "oqmd" },
                new() { Formula = "Si", EFormPerAtom = 0.0 },
                new() { Formula = "CH4", EFormPerAtom = -0.1 },
                new() { Formula = "Li0.1234Fe", EFormPerAtom = -0.05, Scheme = "experiment", SourceKind = "experiment" },
                new() { Formula = "NaCl", EFormPerAtom = -2.1, Scheme = "ml", SourceKind = "ml", Visibility = "private" },
                new() { Formula = "Fe3O4", EFormPerAtom = -1.65, Visibility = "private", Label = "batch \"7\" \\ main" },
            ], defaults, acme, cancellationToken: ct);
        await db.ChangeAsync("mdb-2", ops, new MaterialChange { EFormPerAtom = -1.45 }, ct);
        await db.RetractAsync("mdb-6", acme, ct);
        Assert.Equal(4, await db.Store.LatestVersionAsync(ct));
        return (db, acme);
    }
}
