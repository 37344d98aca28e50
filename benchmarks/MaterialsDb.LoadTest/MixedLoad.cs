using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Models.Packages;
using MaterialsDb.Service;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Materials;
using MaterialsDb.Service.Store;
using Microsoft.Extensions.DependencyInjection;

namespace MaterialsDb.LoadTest;

/// <summary>
/// Sustained mixed load on a cluster: an API node (this process) and two worker processes on a fresh PostgreSQL
/// database, and a bounded set of clients on loopback for a fixed time: screenings submitted (two in flight) and
/// polled, status reads, full CSV downloads of a 10^6-row result, <c>/predict</c> batches and OPTIMADE filters on the
/// shared database (mp_e_form). Reports requests/s and latency per endpoint, every error that is not a 429, the API
/// node's memory over the run, and checks every screening against an undisturbed reference run.
/// </summary>
internal static class MixedLoad
{
    private const string BigSpec = "name: mixed-big\ncandidates:\n  enumerate:\n    elements: [Li, Na, K, Mg, Ca, Sr, Ba, Al, Ga, Si, Ge, Sn, Ti, Zr, Nb, Zn, Cu, Fe, N, O, S, Cl]\n    n_elements: [2, 4]\n    max_coefficient: 7\n    charge_neutral: true\n    oxidation_states: icsd24\npredict: [band-gap-pbe]\nstability: {reference: mp_e_form, model: formation-energy}\nrank:\n  by: [e_above_hull]\ntop: 1000000\n";

    private static readonly string[] Filters =
    [
        "elements HAS ALL \"Li\",\"O\"", "nelements = 3", "chemical_formula_reduced = \"Fe2O3\"", "_mdb_formation_energy_per_atom < -3",
        "elements HAS ANY \"Ga\",\"In\" AND nelements = 2",
    ];

    private static readonly string[] Formulas = ["NaCl", "GaAs", "LiFePO4", "SrTiO3", "Cu2ZnSnS4", "MgO", "Al2O3", "ZnO", "CsPbI3", "TiO2"];

    public static async Task<int> RunAsync(string postgres, TimeSpan duration, DatasetStore datasets, ModelRegistry registry, string results)
    {
        var reference = await SoakTest.ReferenceAsync(datasets, registry, Path.Combine(results, "reference"));
        return await ScratchCluster.RunAsync(postgres, "materialsdb_mixed", (connection, workers) =>
            LoadAsync(connection, duration, datasets, registry, Path.Combine(results, "cluster"), reference, workers));
    }

    private static async Task<int> LoadAsync(string postgres, TimeSpan duration, DatasetStore datasets, ModelRegistry registry, string results, string reference, List<Process> workers)
    {
        var store = await ServiceHost.OpenStoreAsync(postgres);
        var (_, key) = await ApiKeys.CreateAsync(store, "mixed", Role.Member);
        var options = new ServiceOptions { Urls = "http://127.0.0.1:0", Postgres = postgres, ResultsFolder = results, Workers = 0, ChunkSize = 1500, MaxActivePerTenant = 1_000, RequestsPerMinute = 1_000_000 };
        await using var app = ServiceHost.BuildServer(options, datasets, registry);
        await app.StartAsync();
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64 };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Add(ApiKeys.Header, key);
        await app.Services.GetRequiredService<SharedDatabase>().ReadyAsync();

        workers.Add(ScratchCluster.StartWorker(postgres, results));
        workers.Add(ScratchCluster.StartWorker(postgres, results));

        // The 10^6-row result the downloads read, made by the cluster before the load starts.
        var setup = Stopwatch.StartNew();
        var big = await SubmitAsync(http, BigSpec);
        while (await StateAsync(http, big) is "Queued" or "Running")
        {
            await Task.Delay(1000);
        }

        Console.WriteLine($"10^6-row result ready in {setup.Elapsed.TotalSeconds:0} s ({await StateAsync(http, big)})");

        var latencies = new ConcurrentDictionary<string, ConcurrentBag<double>>();
        var errors = new ConcurrentBag<string>();
        var refused = 0;
        var submitted = new ConcurrentBag<Guid>();
        var clock = Stopwatch.StartNew();
        var memory = new List<double>();
        var managed = new List<double>();
        var committed = new List<double>();
        using var stop = new CancellationTokenSource(duration);

        async Task<bool> TimeAsync(string endpoint, Func<Task<HttpResponseMessage>> send, bool drain = true)
        {
            var t = Stopwatch.StartNew();
            try
            {
                using var response = await send();
                if (drain)
                {
                    await using var body = await response.Content.ReadAsStreamAsync();
                    await body.CopyToAsync(Stream.Null);
                }

                latencies.GetOrAdd(endpoint, _ => []).Add(t.Elapsed.TotalMilliseconds);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    Interlocked.Increment(ref refused);
                    return false;
                }

                if (!response.IsSuccessStatusCode)
                {
                    errors.Add($"{endpoint}: {(int)response.StatusCode}");
                }

                return response.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !stop.IsCancellationRequested)
            {
                errors.Add($"{endpoint}: {e.GetType().Name} {e.Message}");
                return false;
            }
        }

        async Task Loop(Func<Random, Task> step, int seed)
        {
            var random = new Random(seed);
            while (!stop.IsCancellationRequested)
            {
                await step(random);
            }
        }

        var tasks = new List<Task>
        {
            // Submissions: two screenings in flight, each polled until it ends.
            Loop(async _ =>
            {
                var ids = new List<Guid>();
                for (var i = 0; i < 2; i++)
                {
                    var t = Stopwatch.StartNew();
                    var id = await SubmitAsync(http, SoakTest.Spec);
                    latencies.GetOrAdd("POST /screenings", _ => []).Add(t.Elapsed.TotalMilliseconds);
                    submitted.Add(id);
                    ids.Add(id);
                }

                foreach (var id in ids)
                {
                    while (await StateAsync(http, id) is "Queued" or "Running")
                    {
                        await Task.Delay(500);
                    }
                }
            }, 1),
            // Status reads of the screenings so far.
            Loop(async r => await TimeAsync("GET /screenings/{id}", () => http.GetAsync($"/api/v1/screenings/{(submitted.IsEmpty ? big : submitted.ElementAt(r.Next(submitted.Count)))}")), 2),
            Loop(async r => await TimeAsync("GET /screenings/{id}", () => http.GetAsync($"/api/v1/screenings/{(submitted.IsEmpty ? big : submitted.ElementAt(r.Next(submitted.Count)))}")), 3),
            // Full downloads of the 10^6-row result.
            Loop(async _ => await TimeAsync("GET /results (10^6 rows, CSV)", () => http.GetAsync($"/api/v1/screenings/{big}/results?format=csv", HttpCompletionOption.ResponseHeadersRead)), 4),
            // /predict batches of 1,000 formulas.
            Loop(async r =>
            {
                var batch = Enumerable.Range(0, 1000).Select(_ => Formulas[r.Next(Formulas.Length)]).ToArray();
                await TimeAsync("POST /predict (1,000)", () => http.PostAsJsonAsync("/api/v1/predict", new { model = "formation-energy", formulas = batch }));
            }, 5),
            // OPTIMADE filters on the shared database.
            Loop(async r => await TimeAsync("GET /optimade/v1/structures", () => http.GetAsync($"/optimade/v1/structures?filter={Uri.EscapeDataString(Filters[r.Next(Filters.Length)])}")), 6),
            Loop(async r => await TimeAsync("GET /optimade/v1/structures", () => http.GetAsync($"/optimade/v1/structures?filter={Uri.EscapeDataString(Filters[r.Next(Filters.Length)])}")), 7),
            // The API node's memory every 10 s.
            Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    // The working set, and what of it the managed heap holds live and keeps committed: the rest is native
                    // (ONNX Runtime, Kestrel's buffers) or code.
                    managed.Add(GC.GetTotalMemory(forceFullCollection: true) / 1e6);
                    committed.Add(GC.GetGCMemoryInfo().TotalCommittedBytes / 1e6);
                    memory.Add(Process.GetCurrentProcess().WorkingSet64 / 1e6);
                    await Task.Delay(10_000, CancellationToken.None);
                }
            }),
        };
        await Task.WhenAll(tasks.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        var seconds = clock.Elapsed.TotalSeconds;

        // Let the last screenings finish, then check every one against the reference rows.
        var problems = new List<string>(errors.GroupBy(e => e).Select(g => $"{g.Count()} × {g.Key}"));
        foreach (var id in submitted)
        {
            string? state;
            while ((state = await StateAsync(http, id)) is "Queued" or "Running")
            {
                await Task.Delay(500);
            }

            if (state != "Succeeded")
            {
                problems.Add($"{id}: {state}");
            }
            else if (await http.GetStringAsync($"/api/v1/screenings/{id}/results?format=csv") != reference)
            {
                problems.Add($"{id}: its ranked rows differ from the reference run's");
            }
        }

        var peakWorker = workers.Max(w =>
        {
            w.Refresh();
            return w.PeakWorkingSet64 / 1e6;
        });
        Console.WriteLine($"mixed load: {seconds / 60:0.0} min, 1 API node + 2 worker processes on PostgreSQL; {submitted.Count} screenings submitted; {refused} requests refused with 429; {errors.Count} other errors");
        Console.WriteLine("| endpoint | requests | requests/s | p50 (ms) | p99 (ms) | max (ms) |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var (endpoint, bag) in latencies.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            var sorted = bag.Order().ToArray();
            Console.WriteLine($"| {endpoint} | {sorted.Length:N0} | {sorted.Length / seconds:0.0} | {sorted[sorted.Length / 2]:0.0} | {sorted[(int)(sorted.Length * 0.99)]:0.0} | {sorted[^1]:0.0} |");
        }

        Console.WriteLine($"API node working set every 10 s (after a GC): first {memory[0]:0} MB, max {memory.Max():0} MB, last {memory[^1]:0} MB; peak worker working set {peakWorker:0} MB");
        static string Series(List<double> values) => string.Join(' ', values.Select(m => m.ToString("0", System.Globalization.CultureInfo.InvariantCulture)));
        Console.WriteLine($"  working set (MB): {Series(memory)}");
        Console.WriteLine($"  managed heap live after a full GC (MB): {Series(managed)}");
        Console.WriteLine($"  managed heap committed (MB): {Series(committed)}");
        Console.WriteLine($"{problems.Count} problem(s)");
        foreach (var p in problems.Take(20))
        {
            Console.WriteLine("  " + p);
        }

        return problems.Count == 0 ? 0 : 1;
    }

    private static async Task<Guid> SubmitAsync(HttpClient http, string spec)
    {
        using var response = await http.PostAsync("/api/v1/screenings", new StringContent(spec, Encoding.UTF8, "application/yaml"));
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid()
            : throw new InvalidOperationException($"submit refused: {(int)response.StatusCode} {body}");
    }

    private static async Task<string?> StateAsync(HttpClient http, Guid id) =>
        (await http.GetFromJsonAsync<JsonElement>($"/api/v1/screenings/{id}")).GetProperty("summary").GetProperty("state").GetString();
}
