// Load test of one service node (a separate, documented run; not part of CI). Loopback only.
//   dotnet run -c Release --project benchmarks/MaterialsDb.LoadTest -- http [clients] [seconds]
//     an embedded node in this process: concurrent clients submit small screenings (1 in 10 requests) and poll
//     status (9 in 10); prints requests/s and latency percentiles.
//   dotnet run -c Release --project benchmarks/MaterialsDb.LoadTest -- jobs "<postgres connection string>" [jobs]
//     an API node without workers, then 1 and 2 worker processes (one Hangfire worker each): time to finish a batch of
//     screenings of about 12,000 candidates each → jobs/hour.
//   dotnet run -c Release --project benchmarks/MaterialsDb.LoadTest -- database "<postgres connection string>" [entries] [repeats] [keep]
//     the shared database at scale in a new PostgreSQL database (dropped afterwards): catalog imports and generated
//     contributions up to [entries] (2,000,000), OPTIMADE filter and hull latencies, a worker's hull snapshot memory.
//   dotnet run -c Release --project benchmarks/MaterialsDb.LoadTest -- soak "<postgres connection string>" [minutes] [kill-every-seconds]
//     the cluster soak in a new PostgreSQL database (dropped afterwards): an API node and two worker processes, a few
//     screenings always in flight, one worker process killed and replaced every 120 s for 30 minutes; every screening
//     must succeed with each candidate processed once and the ranked rows of an undisturbed reference run.
//   dotnet run -c Release --project benchmarks/MaterialsDb.LoadTest -- mixed "<postgres connection string>" [minutes]
//     sustained mixed load for 10 minutes on an API node and two worker processes: submissions and polls, status
//     reads, 10^6-row CSV downloads, /predict batches, OPTIMADE filters; latency per endpoint, errors, memory, and
//     every screening checked against a reference run.
//   dotnet run -c Release --project benchmarks/MaterialsDb.LoadTest -- huge "<postgres connection string>" [spec.yaml] [1,2,3] [chunk-size]
//     one large screening (default: huge-space.yaml beside this program, 7.9 M candidates) through `materialsdb screen`
//     on one thread, then as a chunked job with 1, 2 and 3 worker processes (one core each) in a new PostgreSQL
//     database: throughput per process against the CLI's, peak memory per worker, plan and merge times, same rows.
//     Chunks of 100,000 candidates by default; billion-space.yaml (1.13·10^9 candidates) is run with chunks of 2,000,000.
//   dotnet run -c Release --project benchmarks/MaterialsDb.LoadTest -- explorer [repeats]
//     the results explorer on a 10^6-row result over HTTP: pages, sorts, filters, plot points, heatmap, a filtered download.
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Models.Packages;
using MaterialsDb.Service;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Store;

// About 12,000 candidates through two models and the hull: a realistic small job (about 0.5 s of one core).
const string MediumSpec = "name: medium\ncandidates: {enumerate: {elements: [Li, Na, Mg, Ca, Al, O, S, Cl, N], n_elements: [2, 3], max_coefficient: 6}}\npredict: [band-gap-pbe]\nstability: {reference: mp_e_form, model: formation-energy}\nconstraints: {e_above_hull: {max: 0.3}}\ntop: 200\n";
const string SmallSpec = "name: load\ncandidates: {enumerate: {elements: [Li, Na, O, Cl], n_elements: [2, 3], max_coefficient: 3}}\npredict: [band-gap-pbe]\nstability: {reference: mp_e_form, model: formation-energy}\ntop: 20\n";
var registry = ModelRegistry.FromEnvironment();
var datasets = DatasetStore.FromEnvironment();
var results = Path.Combine(Path.GetTempPath(), "materialsdb-load-" + Guid.NewGuid().ToString("N"));

if (args is ["http", ..])
{
    var clients = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 32;
    var seconds = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 20;
    var store = new MemoryStore();
    var (_, key) = await ApiKeys.CreateAsync(store, "load", Role.Member);
    await using var app = ServiceHost.BuildServer(new ServiceOptions { Urls = "http://127.0.0.1:0", ResultsFolder = results, RequestsPerMinute = 10_000_000, MaxActivePerTenant = 1_000_000 }, datasets, registry, store);
    await app.StartAsync();
    using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    http.DefaultRequestHeaders.Add(ApiKeys.Header, key);
    var ids = new List<Guid> { await SubmitAsync(http) };
    var latencies = new List<double>[clients];
    var stop = DateTime.UtcNow.AddSeconds(seconds);
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
    {
        latencies[c] = [];
        var random = new Random(c);
        for (var i = 0; DateTime.UtcNow < stop; i++)
        {
            var start = Stopwatch.GetTimestamp();
            if (i % 10 == 0)
            {
                var id = await SubmitAsync(http);
                lock (ids)
                {
                    ids.Add(id);
                }
            }
            else
            {
                Guid id;
                lock (ids)
                {
                    id = ids[random.Next(ids.Count)];
                }

                using var response = await http.GetAsync($"/api/v1/screenings/{id}");
                response.EnsureSuccessStatusCode();
            }

            latencies[c].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }));
    var all = latencies.SelectMany(l => l).Order().ToArray();
    Console.WriteLine($"{clients} clients, {clock.Elapsed.TotalSeconds:0.0} s: {all.Length:N0} requests, {all.Length / clock.Elapsed.TotalSeconds:N0} requests/s; latency p50 {all[all.Length / 2]:0.0} ms, p99 {all[(int)(all.Length * 0.99)]:0.0} ms, max {all[^1]:0.0} ms; {ids.Count:N0} screenings submitted");
}
else if (args is ["jobs", var postgres, ..])
{
    var jobs = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 20;
    var cli = Path.Combine(AppContext.BaseDirectory, "materialsdb.dll");
    foreach (var workers in new[] { 1, 2 })
    {
        var store = await ServiceHost.OpenStoreAsync(postgres);
        var (_, key) = await ApiKeys.CreateAsync(store, "jobs" + workers, Role.Member);
        await using var app = ServiceHost.BuildServer(new ServiceOptions { Urls = "http://127.0.0.1:0", Postgres = postgres, ResultsFolder = results, Workers = 0, MaxActivePerTenant = 1_000_000 }, datasets, registry);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        http.DefaultRequestHeaders.Add(ApiKeys.Header, key);
        var processes = Enumerable.Range(0, workers).Select(_ => Process.Start(new ProcessStartInfo("dotnet", [cli, "worker", "--postgres", postgres, "--workers", "1", "--results", results]) { RedirectStandardOutput = true })!).ToArray();
        await Task.Delay(3000);   // let the workers load models
        var clock = Stopwatch.StartNew();
        var ids = new List<Guid>();
        for (var j = 0; j < jobs; j++)
        {
            ids.Add(await SubmitAsync(http, MediumSpec));
        }

        foreach (var id in ids)
        {
            while ((await http.GetFromJsonAsync<JsonElement>($"/api/v1/screenings/{id}")).GetProperty("summary").GetProperty("state").GetString() is "Queued" or "Running")
            {
                await Task.Delay(100);
            }
        }

        Console.WriteLine($"{workers} worker process(es): {jobs} screenings in {clock.Elapsed.TotalSeconds:0.0} s = {jobs / clock.Elapsed.TotalHours:N0} jobs/hour");
        foreach (var p in processes)
        {
            p.Kill(entireProcessTree: true);
        }
    }
}
else if (args is ["database", var connection, ..])
{
    var entries = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 2_000_000;
    var repeats = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 200;
    Directory.CreateDirectory(results);
    await DatabaseScale.RunAsync(connection, entries, repeats, args.Contains("keep"), args.FirstOrDefault(a => a.StartsWith("kept=", StringComparison.Ordinal))?[5..], datasets, registry, results);
}
else if (args is ["soak", var soakPostgres, ..])
{
    var minutes = args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 30;
    var killEvery = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 120;
    Directory.CreateDirectory(results);
    var soak = await MaterialsDb.LoadTest.SoakTest.RunAsync(soakPostgres, TimeSpan.FromMinutes(minutes), TimeSpan.FromSeconds(killEvery), datasets, registry, results);
    Directory.Delete(results, recursive: true);
    return soak;
}
else if (args is ["mixed", var mixedPostgres, ..])
{
    var minutes = args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 10;
    return await MaterialsDb.LoadTest.MixedLoad.RunAsync(mixedPostgres, TimeSpan.FromMinutes(minutes), datasets, registry, results);
}
else if (args is ["huge", var hugePostgres, ..])
{
    Directory.CreateDirectory(results);
    var spec = args.Length > 2 ? Path.GetFullPath(args[2]) : Path.Combine(AppContext.BaseDirectory, "huge-space.yaml");
    var counts = args.Length > 3 ? args[3].Split(',').Select(c => int.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToArray() : [1, 2, 3];
    var chunkSize = args.Length > 4 ? long.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : new MaterialsDb.Service.ServiceOptions().ChunkSize;
    var huge = await MaterialsDb.LoadTest.HugeJob.RunAsync(hugePostgres, spec, counts, chunkSize, datasets, registry, results);
    Directory.Delete(results, recursive: true);
    return huge;
}
else if (args is ["explorer", ..])
{
    Directory.CreateDirectory(results);
    await MaterialsDb.LoadTest.ExplorerScale.RunAsync(datasets, registry, results, args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100);
}
else
{
    Console.Error.WriteLine("usage: http [clients] [seconds] | jobs \"<postgres connection string>\" [jobs] | database \"<postgres connection string>\" [entries] [repeats] | soak \"<postgres connection string>\" [minutes] [kill-every-seconds] | mixed \"<postgres connection string>\" [minutes] | huge \"<postgres connection string>\" [spec.yaml] [1,2,3] [chunk-size] | explorer [repeats]");
    return 2;
}

Directory.Delete(results, recursive: true);
return 0;

static async Task<Guid> SubmitAsync(HttpClient http, string spec = SmallSpec)
{
    using var response = await http.PostAsync("/api/v1/screenings", new StringContent(spec, Encoding.UTF8, "application/yaml"));
    var body = await response.Content.ReadAsStringAsync();
    return response.IsSuccessStatusCode ? JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid() : throw new InvalidOperationException(body);
}
