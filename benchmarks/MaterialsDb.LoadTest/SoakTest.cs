using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Models.Packages;
using MaterialsDb.Service;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Store;

namespace MaterialsDb.LoadTest;

/// <summary>
/// The cluster soak: an API node (this process) and two worker processes on a fresh PostgreSQL database; screenings
/// submitted continuously (a few in flight), and every <c>killEvery</c> one worker process killed outright and a new
/// one started. At the end every screening must have succeeded with every candidate processed once, and its ranked
/// result (CSV download) must equal a reference run on an embedded node that nothing killed.
/// </summary>
internal static class SoakTest
{
    // About 12,000 candidates in chunks of 1,500: eight chunks, so a kill usually lands inside one.
    internal const string Spec = "name: soak\ncandidates: {enumerate: {elements: [Li, Na, Mg, Ca, Al, O, S, Cl, N], n_elements: [2, 3], max_coefficient: 6}}\npredict: [band-gap-pbe]\nstability: {reference: mp_e_form, model: formation-energy}\nconstraints: {e_above_hull: {max: 0.3}}\nrank: {by: [e_above_hull, -band-gap-pbe]}\ntop: 200\n";
    private const int InFlight = 3;

    public static async Task<int> RunAsync(string postgres, TimeSpan duration, TimeSpan killEvery, DatasetStore datasets, ModelRegistry registry, string results)
    {
        var reference = await ReferenceAsync(datasets, registry, Path.Combine(results, "reference"));
        return await ScratchCluster.RunAsync(postgres, "materialsdb_soak", (connection, workers) =>
            SoakAsync(connection, duration, killEvery, datasets, registry, Path.Combine(results, "cluster"), reference, workers));
    }

    private static async Task<int> SoakAsync(string postgres, TimeSpan duration, TimeSpan killEvery, DatasetStore datasets, ModelRegistry registry, string results, string reference, List<Process> workers)
    {
        var store = await ServiceHost.OpenStoreAsync(postgres);
        var (_, key) = await ApiKeys.CreateAsync(store, "soak", Role.Member);
        var options = new ServiceOptions { Urls = "http://127.0.0.1:0", Postgres = postgres, ResultsFolder = results, Workers = 0, ChunkSize = 1500, MaxActivePerTenant = 1_000, RequestsPerMinute = 1_000_000, SweepInterval = TimeSpan.FromSeconds(10), SweepGrace = TimeSpan.FromSeconds(30) };
        await using var app = ServiceHost.BuildServer(options, datasets, registry);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        http.DefaultRequestHeaders.Add(ApiKeys.Header, key);

        Process StartWorker() => ScratchCluster.StartWorker(postgres, results, "--invisibility-timeout", "15");
        workers.Add(StartWorker());
        workers.Add(StartWorker());

        var clock = Stopwatch.StartNew();
        var submitted = new Dictionary<Guid, TimeSpan>();
        var finished = new Dictionary<Guid, (TimeSpan At, string State)>();
        var kills = 0;
        var peakWorkerMb = 0.0;
        var apiMemoryStart = Process.GetCurrentProcess().WorkingSet64 / 1e6;
        var nextKill = killEvery;
        var random = new Random(11);
        while (clock.Elapsed < duration || submitted.Count > finished.Count)
        {
            // Keep a few screenings in flight until the time is up, then let the last ones finish.
            while (clock.Elapsed < duration && submitted.Count - finished.Count < InFlight)
            {
                using var response = await http.PostAsync("/api/v1/screenings", new StringContent(Spec, Encoding.UTF8, "application/yaml"));
                var body = await response.Content.ReadAsStringAsync();
                if (!response.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"submit refused: {(int)response.StatusCode} {body}");
                }

                submitted[JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid()] = clock.Elapsed;
            }

            foreach (var id in submitted.Keys.Where(id => !finished.ContainsKey(id)).ToArray())
            {
                var state = (await http.GetFromJsonAsync<JsonElement>($"/api/v1/screenings/{id}")).GetProperty("summary").GetProperty("state").GetString()!;
                if (state is not ("Queued" or "Running"))
                {
                    finished[id] = (clock.Elapsed, state);
                }
                else if (clock.Elapsed - submitted[id] > TimeSpan.FromMinutes(10))
                {
                    Console.WriteLine($"STUCK: screening {id} is still {state} after 10 minutes");
                    finished[id] = (clock.Elapsed, "Stuck");
                }
            }

            if (clock.Elapsed >= nextKill && clock.Elapsed < duration)
            {
                var victim = random.Next(workers.Count);
                workers[victim].Refresh();
                peakWorkerMb = Math.Max(peakWorkerMb, workers[victim].PeakWorkingSet64 / 1e6);
                workers[victim].Kill(entireProcessTree: true);
                await workers[victim].WaitForExitAsync();
                workers[victim] = StartWorker();
                kills++;
                nextKill += killEvery;
                Console.WriteLine($"{clock.Elapsed:mm\\:ss} killed worker {victim} (kill {kills}); {finished.Count}/{submitted.Count} screenings finished");
            }

            await Task.Delay(250);
        }

        // Every screening: succeeded, every candidate processed once, the same ranked rows as the reference.
        var problems = new List<string>();
        foreach (var (id, (_, state)) in finished)
        {
            var summary = (await http.GetFromJsonAsync<JsonElement>($"/api/v1/screenings/{id}")).GetProperty("summary");
            if (state != "Succeeded")
            {
                problems.Add($"{id}: {state} {summary.GetProperty("error")}");
                continue;
            }

            if (summary.GetProperty("processed").GetInt64() != summary.GetProperty("candidates").GetInt64() || summary.GetProperty("chunks_done").GetInt32() != summary.GetProperty("chunks").GetInt32())
            {
                problems.Add($"{id}: processed {summary.GetProperty("processed")} of {summary.GetProperty("candidates")}, chunks {summary.GetProperty("chunks_done")} of {summary.GetProperty("chunks")}");
            }

            var csv = await http.GetStringAsync($"/api/v1/screenings/{id}/results?format=csv");
            if (csv != reference)
            {
                problems.Add($"{id}: its ranked rows differ from the reference run's");
            }
        }

        var times = finished.Select(f => (f.Value.At - submitted[f.Key]).TotalSeconds).Order().ToArray();
        foreach (var w in workers)
        {
            w.Refresh();
            peakWorkerMb = Math.Max(peakWorkerMb, w.PeakWorkingSet64 / 1e6);
        }

        Console.WriteLine($"soak: {clock.Elapsed.TotalMinutes:0.0} min, {submitted.Count} screenings submitted, {finished.Count(f => f.Value.State == "Succeeded")} succeeded, {kills} worker kills; " +
            $"submit → final p50 {times[times.Length / 2]:0.0} s, p99 {times[(int)(times.Length * 0.99)]:0.0} s, max {times[^1]:0.0} s; " +
            $"peak worker memory {peakWorkerMb:0} MB; API node working set {apiMemoryStart:0} → {Process.GetCurrentProcess().WorkingSet64 / 1e6:0} MB; " +
            $"{problems.Count} problem(s)");
        foreach (var p in problems.Take(20))
        {
            Console.WriteLine("  " + p);
        }

        return problems.Count == 0 ? 0 : 1;
    }

    // The same spec on an embedded node with two workers and nothing killed: the rows every soak run must give.
    internal static async Task<string> ReferenceAsync(DatasetStore datasets, ModelRegistry registry, string results)
    {
        var store = new MemoryStore();
        var (_, key) = await ApiKeys.CreateAsync(store, "reference", Role.Member);
        await using var app = ServiceHost.BuildServer(new ServiceOptions { Urls = "http://127.0.0.1:0", ResultsFolder = results, Workers = 2, ChunkSize = 1500 }, datasets, registry, store);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        http.DefaultRequestHeaders.Add(ApiKeys.Header, key);
        using var response = await http.PostAsync("/api/v1/screenings", new StringContent(Spec, Encoding.UTF8, "application/yaml"));
        var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        while ((await http.GetFromJsonAsync<JsonElement>($"/api/v1/screenings/{id}")).GetProperty("summary").GetProperty("state").GetString() is "Queued" or "Running")
        {
            await Task.Delay(200);
        }

        return await http.GetStringAsync($"/api/v1/screenings/{id}/results?format=csv");
    }
}
