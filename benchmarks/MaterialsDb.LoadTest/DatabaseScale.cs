using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MaterialsDb.Chemistry;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Database;
using MaterialsDb.Models.Packages;
using MaterialsDb.Service;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Materials;
using MaterialsDb.Service.Store;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

/// <summary>
/// The shared database at scale on PostgreSQL: the catalog's Materials Project and OQMD tables imported and generated
/// entries contributed through the API up to the target size; OPTIMADE filters on indexed fields and hulls (uncached,
/// then cached) timed through HTTP on loopback; the memory of a hull snapshot. Baselines in the same run: a raw COPY
/// of the generated rows into an unindexed table, and /optimade/v1/info (the HTTP floor).
/// </summary>
internal static class DatabaseScale
{
    private const int Batch = 100_000;

    /// <param name="kept">A database an earlier run kept: its entries are not contributed again, only timed.</param>
    public static async Task RunAsync(string postgres, int target, int repeats, bool keep, string? kept, DatasetStore datasets, ModelRegistry registry, string results)
    {
        var name = kept ?? "materialsdb_scale_" + Guid.NewGuid().ToString("N")[..8];
        keep |= kept is not null;
        await using (var admin = NpgsqlDataSource.Create(postgres))
        await using (var create = admin.CreateCommand(kept is null ? $"CREATE DATABASE {name}" : "SELECT 1"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var connection = new NpgsqlConnectionStringBuilder(postgres) { Database = name }.ConnectionString;
        try
        {
            await RunOnAsync(connection, target, repeats, datasets, registry, results);
        }
        finally
        {
            if (keep)
            {
                Console.WriteLine($"kept database {name}");
            }

            NpgsqlConnection.ClearAllPools();
            await using var admin = NpgsqlDataSource.Create(postgres);
            await using var drop = admin.CreateCommand(keep ? "SELECT 1" : $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static async Task RunOnAsync(string connection, int target, int repeats, DatasetStore datasets, ModelRegistry registry, string results)
    {
        var store = await ServiceHost.OpenStoreAsync(connection);
        var (_, key) = await ApiKeys.CreateAsync(store, "bench", Role.Member);
        await using var app = ServiceHost.BuildServer(new ServiceOptions { Urls = "http://127.0.0.1:0", Postgres = connection, ResultsFolder = results, Workers = 0, RequestsPerMinute = 10_000_000 }, datasets, registry, store);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Add(ApiKeys.Header, key);
        var shared = app.Services.GetRequiredService<SharedDatabase>();

        // 1. Contributions: both catalog tables, then generated entries in batches of 100,000 through POST /materials.
        var clock = Stopwatch.StartNew();
        var database = await shared.ReadyAsync();
        var mp = clock.Elapsed;
        var (oqmd, _, _) = await database.ImportCatalogAsync(datasets, "oqmd_formation_enthalpy");
        var catalog = (int)await CountAsync(connection);
        var imported = clock.Elapsed;
        if (catalog >= target)
        {
            // A kept database: the generator is seeded, so its first rows are the ones that name the hulls below.
            Console.WriteLine($"entries: {await CountAsync(connection):N0} (a kept database)");
            await QueriesAsync(connection, repeats, http, shared, database, Generate(4000));
            return;
        }

        var generated = Generate(target - catalog);
        // Two uploads in flight, as a computing center's pipeline would send them (PostgreSQL writes both at once).
        var csvs = new List<string>();
        for (var start = 0; start < generated.Count; start += Batch)
        {
            csvs.Add(Csv(generated, start, Math.Min(Batch, generated.Count - start)));
        }

        var uploading = clock.Elapsed;
        await Parallel.ForEachAsync(csvs, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (csv, ct) =>
        {
            using var response = await http.PostAsync("/api/v1/materials?scheme=mp2020&licence=CC-BY-4.0&reference=generated&visibility=cluster&label=scale", new StringContent(csv, Encoding.UTF8, "text/csv"), ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException(await response.Content.ReadAsStringAsync(ct));
            }
        });

        var contributed = clock.Elapsed - uploading;
        var total = await CountAsync(connection);
        Console.WriteLine($"entries: {total:N0} (mp_e_form import {mp.TotalSeconds:0.0} s, oqmd_formation_enthalpy {oqmd:N0} rows, catalog {catalog:N0} in {imported.TotalSeconds:0.0} s; {generated.Count:N0} generated contributed through the API in {csvs.Count} batches in {contributed.TotalSeconds:0.0} s = {generated.Count / contributed.TotalSeconds:N0} entries/s); all {(imported + contributed).TotalSeconds:0.0} s");
        var raw = await RawCopyAsync(connection, generated);
        Console.WriteLine($"baseline: raw binary COPY of the generated (formula, e_form) into an unindexed table: {raw.TotalSeconds:0.0} s = {generated.Count / raw.TotalSeconds:N0} rows/s");

        await using (var data = NpgsqlDataSource.Create(connection))
        await using (var analyze = data.CreateCommand("VACUUM ANALYZE materialsdb.entries"))
        {
            analyze.CommandTimeout = 0;
            var t = Stopwatch.StartNew();
            await analyze.ExecuteNonQueryAsync();
            Console.WriteLine($"VACUUM ANALYZE after the bulk load: {t.Elapsed.TotalSeconds:0.0} s");
        }

        await QueriesAsync(connection, repeats, http, shared, database, generated);
    }

    private static async Task QueriesAsync(string connection, int repeats, HttpClient http, SharedDatabase shared, MaterialsDatabase database, List<(string Formula, Composition Composition, double EForm)> generated)
    {

        // 2. OPTIMADE filters on indexed fields, page of 20, sequential requests after a warm-up.
        string[] filters =
        [
            "elements HAS ALL \"Li\",\"Fe\",\"O\"",
            "elements HAS ALL \"Si\",\"O\"",
            "elements HAS ANY \"Tc\",\"Pm\"",
            "nelements = 2",
            "nelements = 4 AND elements HAS \"Li\"",
            "chemical_formula_reduced = \"Fe2O3\"",
            "chemical_formula_anonymous = \"A3B2\" AND elements HAS \"O\"",
            "_mdb_formation_energy_per_atom < -3.9",
            "_mdb_formation_energy_per_atom > -0.01 AND _mdb_formation_energy_per_atom < 0",
            "elements HAS ALL \"Li\",\"O\" AND nelements = 3 AND _mdb_formation_energy_per_atom < -2",
        ];
        Console.WriteLine($"{"request",-100} {"matches",10} {"p50 ms",8} {"p99 ms",8} {"max ms",8}");
        await TimeAsync(http, "GET /optimade/v1/info (baseline: HTTP floor)", _ => "/optimade/v1/info", repeats);
        foreach (var filter in filters)
        {
            // Trailing spaces make each request a new query for the provider's remembered counts: every one counts.
            await TimeAsync(http, "filter=" + filter, i => "/optimade/v1/structures?filter=" + Uri.EscapeDataString(filter + new string(' ', i)), repeats);
        }

        // A client paging through a large result: the first page counts the matches, the next ones reuse the count.
        foreach (var filter in new[] { "nelements = 2", "elements HAS ANY \"Tc\",\"Pm\"" })
        {
            var pageTimes = new List<double>();
            string? next = "/optimade/v1/structures?page_limit=100&filter=" + Uri.EscapeDataString(filter);
            for (var i = 0; i < repeats && next is not null; i++)
            {
                var start = Stopwatch.GetTimestamp();
                var body = await http.GetFromJsonAsync<JsonElement>(next);
                pageTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                next = body.GetProperty("links").TryGetProperty("next", out var link) ? link.GetString() : null;
            }

            Console.WriteLine($"{"paging (100 per page, links.next) filter=" + filter,-100} {pageTimes.Count,10:N0} {P(pageTimes, 0.5),8:0.0} {P(pageTimes, 0.99),8:0.0} {pageTimes.Max(),8:0.0}  (first page {pageTimes[0]:0.0})");
        }

        // 3. Hulls: the first request of a system and version builds it (baseline), the next ones are served cached.
        var systems = generated.Take(4000).Select(g => g.Composition.ChemicalSystem).Distinct().Take(40).Concat(["Li-Fe-O", "Fe-O", "Li-Mn-Ni-Co-O"]).ToArray();
        var first = new List<double>();
        var cached = new List<double>();
        foreach (var system in systems)
        {
            first.Add(await OneAsync(http, $"/api/v1/hull/{system}?scheme=mp2020"));
            for (var i = 0; i < 20; i++)
            {
                cached.Add(await OneAsync(http, $"/api/v1/hull/{system}?scheme=mp2020"));
            }
        }

        Console.WriteLine($"hull of {systems.Length} systems, first request (uncached, baseline): p50 {P(first, 0.5):0.0} ms, p99 {P(first, 0.99):0.0} ms; cached: p50 {P(cached, 0.5):0.00} ms, p99 {P(cached, 0.99):0.00} ms, max {cached.Max():0.00} ms ({shared.CachedHullEntries:N0} hull entries cached)");

        // 4. A worker's hull snapshot for a screening on the whole mp2020 scheme.
        var viewer = new Viewer("bench");
        var version = await database.ResolveVersionAsync(viewer, null);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var snapshotClock = Stopwatch.StartNew();
        var snapshot = await database.ReferenceAsync("mp2020", viewer, version);
        var loaded = snapshotClock.Elapsed;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"worker hull snapshot (mp2020, whole scheme): {snapshot.Entries.Count:N0} entries, {(after - before) / 1e6:N0} MB managed memory ({(after - before) / (double)snapshot.Entries.Count:N0} B/entry), loaded in {loaded.TotalSeconds:0.0} s");
        GC.KeepAlive(snapshot);
    }

    private static async Task TimeAsync(HttpClient http, string label, Func<int, string> url, int repeats)
    {
        long matches = 0;
        for (var i = 0; i < Math.Max(5, repeats / 10); i++)
        {
            using var warm = await http.GetAsync(url(repeats + i));
            var body = await warm.Content.ReadFromJsonAsync<JsonElement>();
            if (!warm.IsSuccessStatusCode)
            {
                throw new InvalidOperationException(body.ToString());
            }

            matches = body.GetProperty("meta").TryGetProperty("data_returned", out var n) ? n.GetInt64() : 0;
        }

        var times = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            times.Add(await OneAsync(http, url(i)));
        }

        Console.WriteLine($"{label,-100} {matches,10:N0} {P(times, 0.5),8:0.0} {P(times, 0.99),8:0.0} {times.Max(),8:0.0}");
    }

    private static async Task<double> OneAsync(HttpClient http, string url)
    {
        var start = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(url);
        await response.Content.ReadAsByteArrayAsync();
        response.EnsureSuccessStatusCode();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    private static double P(List<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * q))];
    }

    // Compositions of 2 to 4 elements among the first 83 (no noble gases), counts 1 to 8, energies -4 to 0.5 eV/atom.
    private static List<(string Formula, Composition Composition, double EForm)> Generate(int count)
    {
        var random = new Random(14);
        var elements = Enumerable.Range(1, 83).Select(PeriodicTable.FromZ).Where(e => e.Symbol is not ("He" or "Ne" or "Ar" or "Kr" or "Xe")).ToArray();
        var rows = new List<(string, Composition, double)>(count);
        var sb = new StringBuilder();
        while (rows.Count < count)
        {
            sb.Clear();
            var n = random.Next(2, 5);
            foreach (var e in elements.OrderBy(_ => random.Next()).Take(n))
            {
                sb.Append(e.Symbol);
                var c = random.Next(1, 9);
                if (c > 1)
                {
                    sb.Append(c.ToString(CultureInfo.InvariantCulture));
                }
            }

            var formula = sb.ToString();
            rows.Add((formula, FormulaParser.Parse(formula), Math.Round(-4 + (4.5 * random.NextDouble()), 4)));
        }

        return rows;
    }

    private static string Csv(List<(string Formula, Composition Composition, double EForm)> rows, int start, int count)
    {
        var sb = new StringBuilder("formula,e_form_per_atom\n");
        for (var i = start; i < start + count; i++)
        {
            sb.Append(rows[i].Formula).Append(',').Append(rows[i].EForm.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }

        return sb.ToString();
    }

    private static async Task<long> CountAsync(string connection)
    {
        await using var data = NpgsqlDataSource.Create(connection);
        await using var count = data.CreateCommand("SELECT count(*) FROM materialsdb.entries");
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static async Task<TimeSpan> RawCopyAsync(string connection, List<(string Formula, Composition Composition, double EForm)> rows)
    {
        await using var data = NpgsqlDataSource.Create(connection);
        await using (var create = data.CreateCommand("CREATE TABLE raw_copy (formula text, e_form double precision)"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var clock = Stopwatch.StartNew();
        await using (var c = await data.OpenConnectionAsync())
        {
            await using var copy = await c.BeginBinaryImportAsync("COPY raw_copy (formula, e_form) FROM STDIN (FORMAT BINARY)");
            foreach (var (formula, _, e) in rows)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(formula, NpgsqlDbType.Text);
                await copy.WriteAsync(e, NpgsqlDbType.Double);
            }

            await copy.CompleteAsync();
        }

        var elapsed = clock.Elapsed;
        await using (var drop = data.CreateCommand("DROP TABLE raw_copy"))
        {
            await drop.ExecuteNonQueryAsync();
        }

        return elapsed;
    }
}
