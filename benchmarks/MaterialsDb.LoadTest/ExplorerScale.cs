using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Models.Packages;
using MaterialsDb.Service;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Store;

namespace MaterialsDb.LoadTest;

/// <summary>
/// The results explorer on a result of 10^6 rows, over HTTP on loopback, as the web application asks: the first
/// request (the file read and indexed), pages in rank order, sorted (the first sort of a column, then again),
/// filtered and sorted, the scatter plot's points and front, the element heatmap, a filtered CSV download.
/// </summary>
internal static class ExplorerScale
{
    // The large-space example without its constraint: 6.3 million candidates, the best 10^6 kept.
    private const string Spec = "name: explorer-scale\ncandidates:\n  enumerate:\n    elements: [Li, Na, K, Mg, Ca, Sr, Ba, Al, Ga, Si, Ge, Sn, Ti, Zr, Nb, Zn, Cu, Fe, N, O, S, Cl]\n    n_elements: [2, 4]\n    max_coefficient: 7\n    charge_neutral: true\n    oxidation_states: icsd24\npredict: [band-gap-pbe]\nstability: {reference: mp_e_form, model: formation-energy}\nrank:\n  by: [e_above_hull]\ntop: 1000000\n";

    public static async Task RunAsync(DatasetStore datasets, ModelRegistry registry, string results, int repeats)
    {
        var store = new MemoryStore();
        var (_, key) = await ApiKeys.CreateAsync(store, "load", Role.Member);
        await using var app = ServiceHost.BuildServer(new ServiceOptions { Urls = "http://127.0.0.1:0", ResultsFolder = results, RequestsPerMinute = 10_000_000, Workers = 2 }, datasets, registry, store);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Add(ApiKeys.Header, key);

        var clock = Stopwatch.StartNew();
        using var submitted = await http.PostAsync("/api/v1/screenings", new StringContent(Spec, Encoding.UTF8, "application/yaml"));
        var id = JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetGuid();
        while (true)
        {
            var state = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/screenings/{id}")).RootElement.GetProperty("summary").GetProperty("state").GetString();
            if (state is "Succeeded")
            {
                break;
            }

            if (state is "Failed" or "Cancelled")
            {
                throw new InvalidOperationException($"the screening {state}");
            }

            await Task.Delay(500);
        }

        Console.WriteLine($"screening of the large space (top 10^6) finished in {clock.Elapsed.TotalSeconds:0.0} s");
        var api = $"/api/v1/screenings/{id}";
        var first = await TimeAsync(http, api + "/columns");
        var rows = JsonDocument.Parse(await http.GetStringAsync(api + "/columns")).RootElement.GetProperty("rows").GetInt32();
        Console.WriteLine($"{rows:N0} result rows; first request (read and index the file): {first:0} ms");
        Console.WriteLine($"first sort of a column (band_gap_pbe, descending): {await TimeAsync(http, api + "/rows?sort=band_gap_pbe&order=desc&limit=50"):0} ms");
        Console.WriteLine($"first sort of a column (formation_energy): {await TimeAsync(http, api + "/rows?sort=formation_energy&limit=50"):0} ms");
        Console.WriteLine("| request (50 rows a page unless said) | p50 (ms) | p99 (ms) |");
        Console.WriteLine("| --- | --- | --- |");
        foreach (var (name, path) in new[]
        {
            ("page 1, rank order", "/rows?limit=50"),
            ("page 10,000, rank order", "/rows?offset=500000&limit=50"),
            ("sorted by band_gap_pbe desc (order kept)", "/rows?sort=band_gap_pbe&order=desc&limit=50"),
            ("filter: e_above_hull ≤ 0.05, contains O, no Cu; sorted by band gap", "/rows?range=e_above_hull::0.05&include=O&exclude=Cu&sort=band_gap_pbe&order=desc&limit=50"),
            ("same filter, last page", "/rows?range=e_above_hull::0.05&include=O&exclude=Cu&sort=band_gap_pbe&order=desc&offset=900000&limit=50"),
            ("two ranges and an element; sorted by formation energy", "/rows?range=e_above_hull::0.1&range=band_gap_pbe:2:&include=Li&sort=formation_energy&limit=50"),
            ("scatter: 5,000 points + Pareto front", "/plot?x=e_above_hull&y=band_gap_pbe&x_goal=min&y_goal=max&points=5000"),
            ("element heatmap, top 1,000", "/elements?top=1000"),
            ("filtered CSV download (contains Li, e_above_hull ≤ 0)", "/results?format=csv&include=Li&range=e_above_hull::0"),
        })
        {
            var times = new double[path.StartsWith("/results", StringComparison.Ordinal) ? Math.Max(3, repeats / 10) : repeats];
            for (var i = 0; i < times.Length; i++)
            {
                times[i] = await TimeAsync(http, api + path);
            }

            Array.Sort(times);
            Console.WriteLine($"| {name} | {times[times.Length / 2]:0.0} | {times[(int)Math.Min(times.Length - 1, times.Length * 0.99)]:0.0} |");
        }
    }

    private static async Task<double> TimeAsync(HttpClient http, string path)
    {
        var start = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead);
        response.EnsureSuccessStatusCode();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
