using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Data.Tables;
using MaterialsDb.Models.Packages;
using MaterialsDb.Service;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Store;

namespace MaterialsDb.LoadTest;

/// <summary>
/// One large screening as a chunked job with 1, 2, … worker processes (one Hangfire worker each, so one core each) on
/// a fresh PostgreSQL database, against the single-process CLI on one thread in the same run: throughput per process,
/// peak memory per worker, the plan and the merge as shares of the job, and the ranked rows compared with the CLI's.
/// </summary>
internal static partial class HugeJob
{
    public static async Task<int> RunAsync(string postgres, string specPath, int[] processCounts, long chunkSize, DatasetStore datasets, ModelRegistry registry, string results)
    {
        var spec = await File.ReadAllTextAsync(specPath);
        var cli = Path.Combine(AppContext.BaseDirectory, "materialsdb.dll");

        // The baselines: the same spec through `materialsdb screen` on one thread and on every core, the screening
        // time as it reports it (so what a process pays per core is compared with what the machine gives per core).
        var cliOut = Path.Combine(results, "cli.parquet");
        var cliRates = new Dictionary<int, double>();
        long candidates = 0;
        foreach (var threads in new[] { 1, Environment.ProcessorCount }.Distinct())
        {
            var (cliText, cliPeakMb, cliWall) = await RunCliAsync([cli, "screen", specPath, "-o", cliOut, "--threads", threads.ToString(CultureInfo.InvariantCulture)]);
            var done = ScreenedLine().Match(cliText);
            if (!done.Success)
            {
                Console.WriteLine(cliText);
                return 1;
            }

            candidates = long.Parse(done.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
            var cliSeconds = double.Parse(done.Groups[2].Value, CultureInfo.InvariantCulture);
            cliRates[threads] = candidates / cliSeconds;
            Console.WriteLine($"CLI, {threads} thread(s): {candidates:N0} candidates screened in {cliSeconds:0.0} s ({cliRates[threads]:N0}/s, {cliRates[threads] / threads:N0}/s per thread; process {cliWall:0.0} s wall), peak {cliPeakMb:0} MB");
        }

        var reference = (await ParquetTableReader.ReadAsync(cliOut)).Table;
        var problems = 0;
        foreach (var n in processCounts)
        {
            // All processes together against the CLI on as many cores as they share.
            var sameCores = cliRates[Math.Min(n, Environment.ProcessorCount) == 1 ? 1 : Environment.ProcessorCount];
            problems += await ScratchCluster.RunAsync(postgres, "materialsdb_huge", (connection, workers) =>
                ClusterAsync(connection, spec, n, chunkSize, candidates, cliRates[1], sameCores, reference, datasets, registry, Path.Combine(results, $"cluster-{n}"), workers));
        }

        return problems == 0 ? 0 : 1;
    }

    private static async Task<int> ClusterAsync(string postgres, string spec, int processes, long chunkSize, long candidates, double cliRate, double cliSameCores, ColumnTable reference, DatasetStore datasets, ModelRegistry registry, string results, List<Process> workers)
    {
        var store = await ServiceHost.OpenStoreAsync(postgres);
        var (_, key) = await ApiKeys.CreateAsync(store, "huge", Role.Member);
        // The limit is the one the CLI screened (an operator raises it for a space this large on every node).
        var limit = Math.Max(candidates, new ServiceOptions().MaxCandidates);
        var options = new ServiceOptions { Urls = "http://127.0.0.1:0", Postgres = postgres, ResultsFolder = results, Workers = 0, ChunkSize = chunkSize }.WithMaxCandidates(limit);
        await using var app = ServiceHost.BuildServer(options, datasets, registry);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Add(ApiKeys.Header, key);
        for (var i = 0; i < processes; i++)
        {
            workers.Add(ScratchCluster.StartWorker(postgres, results, "--max-candidates", limit.ToString(CultureInfo.InvariantCulture)));
        }

        await Task.Delay(3000);   // the workers start and load their models, as a cluster's would before a job arrives
        using var submitted = await http.PostAsync("/api/v1/screenings", new StringContent(spec, Encoding.UTF8, "application/yaml"));
        var id = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        var clock = Stopwatch.StartNew();
        TimeSpan? planned = null, chunksDone = null;
        var peakMb = new double[processes];
        JsonElement summary;
        while (true)
        {
            summary = (await http.GetFromJsonAsync<JsonElement>($"/api/v1/screenings/{id}")).GetProperty("summary");
            var chunks = summary.GetProperty("chunks").GetInt32();
            planned ??= chunks > 0 ? clock.Elapsed : null;
            chunksDone ??= chunks > 0 && summary.GetProperty("chunks_done").GetInt32() == chunks ? clock.Elapsed : null;
            for (var i = 0; i < processes; i++)
            {
                workers[i].Refresh();
                peakMb[i] = Math.Max(peakMb[i], workers[i].PeakWorkingSet64 / 1e6);
            }

            if (summary.GetProperty("state").GetString() is not ("Queued" or "Running"))
            {
                break;
            }

            await Task.Delay(100);
        }

        var total = clock.Elapsed;
        var state = summary.GetProperty("state").GetString();
        if (state != "Succeeded" || summary.GetProperty("processed").GetInt64() != candidates)
        {
            Console.WriteLine($"{processes} worker process(es): {state}, processed {summary.GetProperty("processed")} of {candidates:N0}: {summary}");
            return 1;
        }

        // The ranked rows must be the CLI's: same formulas in the same order, same energies to the bit.
        var file = Path.Combine(results, "result.parquet");
        await File.WriteAllBytesAsync(file, await http.GetByteArrayAsync($"/api/v1/screenings/{id}/results"));
        var table = (await ParquetTableReader.ReadAsync(file)).Table;
        var same = table.RowCount == reference.RowCount
            && table.GetStrings("formula").SequenceEqual(reference.GetStrings("formula"))
            && table.GetDoubles("e_above_hull").SequenceEqual(reference.GetDoubles("e_above_hull"));

        var chunkPhase = (chunksDone!.Value - planned!.Value).TotalSeconds;
        var perProcess = candidates / chunkPhase / processes;
        var merge = (total - chunksDone.Value).TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{processes} worker process(es): {summary.GetProperty("chunks").GetInt32():N0} chunks; submit → succeeded {total.TotalSeconds:0.0} s (plan {planned.Value.TotalSeconds:0.0} s, chunks {chunkPhase:0.0} s, merge {merge:0.0} s = {100 * merge / total.TotalSeconds:0.0} %); " +
            $"{candidates / chunkPhase:N0} candidates/s in all ({100 * candidates / chunkPhase / cliSameCores:0} % of the CLI on {Math.Min(processes, Environment.ProcessorCount)} core(s)), {perProcess:N0}/s per process ({100 * perProcess / cliRate:0} % of the CLI's one thread); " +
            $"peak memory per worker {string.Join(", ", peakMb.Select(m => m.ToString("0", CultureInfo.InvariantCulture)))} MB; ranked rows {(same ? "equal to the CLI's" : "DIFFERENT from the CLI's")}"));
        return same ? 0 : 1;
    }

    // Runs the CLI and samples its peak memory while it runs.
    private static async Task<(string Output, double PeakMb, double WallSeconds)> RunCliAsync(string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo("dotnet", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        var peak = 0.0;
        while (!process.HasExited)
        {
            process.Refresh();
            try
            {
                peak = Math.Max(peak, process.PeakWorkingSet64 / 1e6);
            }
            catch (InvalidOperationException)
            {
                break;   // it exited between the test and the read
            }

            await Task.Delay(250);
        }

        await process.WaitForExitAsync();
        return (await output + await error, peak, clock.Elapsed.TotalSeconds);
    }

    [GeneratedRegex(@"Screened ([\d,]+) candidates in ([\d.]+) s")]
    private static partial Regex ScreenedLine();
}
