using System.Net;
using System.Text.Json;
using MaterialsDb.Data.Tables;
using MaterialsDb.Service.Explorer;

namespace MaterialsDb.Service.Tests;

/// <summary>The results explorer's index against plain LINQ over the same rows, and its API over real HTTP.</summary>
public sealed class ExplorerTests(EmbeddedFixture fixture) : IClassFixture<EmbeddedFixture>
{
    private static (ResultIndex Index, double[] Score, long[] Atoms, string[] Formula, UInt128[] Elements) RandomResult(int n, int seed)
    {
        var random = new Random(seed);
        string[] symbols = ["Li", "O", "Fe", "P", "S", "Cl"];
        var score = new double[n];
        var atoms = new long[n];
        var formula = new string[n];
        var fractions = new KeyValuePair<string, double>[]?[n];
        var elements = new UInt128[n];
        for (var i = 0; i < n; i++)
        {
            // Ties (rounded values) and missing values on purpose.
            score[i] = random.NextDouble() < 0.1 ? double.NaN : Math.Round(random.NextDouble() * 20) / 4;
            atoms[i] = random.Next(2, 6);
            var chosen = symbols.Where(_ => random.NextDouble() < 0.4).DefaultIfEmpty("Li").ToArray();
            fractions[i] = [.. chosen.Select(s => new KeyValuePair<string, double>(s, 1.0 / chosen.Length))];
            formula[i] = string.Concat(chosen);
            foreach (var s in chosen)
            {
                elements[i] |= ResultFilter.Bit(Chemistry.PeriodicTable.FromSymbol(s).Z);
            }
        }

        var table = new ColumnTable([
            new LongColumn("rank", [.. Enumerable.Range(1, n).Select(i => (long)i)]), new StringColumn("formula", formula),
            new PairsColumn("fractions", fractions, PairsLayout.Map), new DoubleColumn("score", score), new DoubleColumn("score_std", [.. score.Select(s => s / 10)]),
            new LongColumn("atoms", atoms)]);
        return (new ResultIndex(table, new Dictionary<string, string> { ["materialsdb.units"] = "{\"score\":\"eV\"}" }), score, atoms, formula, elements);
    }

    [Theory]
    [InlineData(null, false, "", "", "")]
    [InlineData("score", false, "score:1:3.5", "", "")]
    [InlineData("score", true, "", "Li,O", "Cl")]
    [InlineData("atoms", true, "score::2", "Fe", "")]
    [InlineData("rank", true, "atoms:3:", "", "S")]
    public void PagesEqualLinqOverTheSameRows(string? sort, bool descending, string range, string include, string exclude)
    {
        var (index, score, atoms, _, elements) = RandomResult(5000, 7);
        var (filter, problem) = ResultFilter.Parse(range.Length == 0 ? [] : [range], include, exclude);
        Assert.Null(problem);
        var selection = index.Select(filter!);

        // The same question in LINQ: NaN fails a bound; ties keep rank order; rows without a value go last.
        var values = sort switch { "score" => score, "atoms" => atoms.Select(a => (double)a).ToArray(), "rank" => [.. Enumerable.Range(1, 5000).Select(i => (double)i)], _ => null };
        var expected = Enumerable.Range(0, 5000).Where(r => Keeps(filter!, r, score, atoms, elements));
        if (values is not null)
        {
            var finite = expected.Where(r => !double.IsNaN(values[r]));
            finite = descending ? finite.OrderByDescending(r => values[r]).ThenBy(r => r) : finite.OrderBy(r => values[r]).ThenBy(r => r);
            expected = finite.Concat(expected.Where(r => double.IsNaN(values[r])));
        }

        var all = expected.ToArray();
        Assert.Equal(all.Length, selection.Count);
        Assert.True(all.Length > 10);
        foreach (var (offset, limit) in new[] { (0, 50), (37, 20), (all.Length - 5, 50), (all.Length + 3, 10) })
        {
            Assert.Equal(all.Skip(offset).Take(limit), index.Rows(selection, sort, descending, offset, limit));
        }
    }

    private static bool Keeps(ResultFilter filter, int row, double[] score, long[] atoms, UInt128[] elements) =>
        (elements[row] & filter.Include) == filter.Include && (elements[row] & filter.Exclude) == UInt128.Zero &&
        filter.Ranges.All(r =>
        {
            var v = r.Column == "score" ? score[row] : atoms[row];
            return !double.IsNaN(v) && (double.IsNaN(r.Min) || v >= r.Min) && (double.IsNaN(r.Max) || v <= r.Max);
        });

    [Fact]
    public void TheParetoFrontIsWhatNoOtherRowBeats()
    {
        var (index, score, atoms, _, _) = RandomResult(3000, 11);
        var (filter, _) = ResultFilter.Parse([], "O", null);
        var selection = index.Select(filter!);
        var front = ResultPlots.ParetoFront(index, selection, "score", true, "atoms", false);

        // Brute force: a row is on the front unless another has score ≥ and atoms ≤ with one strict (ties: one representative).
        var rows = Enumerable.Range(0, 3000).Where(r => selection.Contains(r) && !double.IsNaN(score[r])).ToArray();
        var undominated = rows.Where(r => !rows.Any(o => score[o] >= score[r] && atoms[o] <= atoms[r] && (score[o] > score[r] || atoms[o] < atoms[r]))).ToArray();
        var points = undominated.Select(r => (score[r], atoms[r])).Distinct().OrderByDescending(p => p.Item1).ToArray();
        Assert.Equal(points, front.Select(r => (score[r], atoms[r])).ToArray());
        Assert.NotEmpty(front);
    }

    [Fact]
    public void ElementCountsCountTheTopSelectedRows()
    {
        var (index, _, _, formula, elements) = RandomResult(2000, 3);
        var (filter, _) = ResultFilter.Parse(["atoms:3:4"], null, "Cl");
        var selection = index.Select(filter!);
        var counts = ResultPlots.ElementCounts(index, selection, 100);
        var top = Enumerable.Range(0, 2000).Where(selection.Contains).Take(100).ToArray();
        Assert.Equal(top.Count(r => (elements[r] & ResultFilter.Bit(8)) != 0), counts[8]);
        Assert.Equal(0, counts[17]);
        Assert.Equal(top.Sum(r => (int)UInt128.PopCount(elements[r])), counts.Sum());
        Assert.NotEmpty(formula);
    }

    [Theory]
    [InlineData("score", "range", "is not column:min:max")]
    [InlineData("score:a:1", "range", "is not column:min:max")]
    [InlineData("score:3:1", "range", "min is above max")]
    [InlineData("score:NaN:1", "range", "is not column:min:max")]
    public void MalformedRangesAreRefusedByName(string range, string field, string message)
    {
        var (filter, problem) = ResultFilter.Parse([range], null, null);
        Assert.Null(filter);
        Assert.Equal(field, problem!.Field);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
        Assert.Equal("include", ResultFilter.Parse([], "Li,Xx", null).Problem!.Field);
        Assert.Equal("exclude", ResultFilter.Parse([], "Li", "Li").Problem!.Field);
        Assert.Equal("range", ResultFilter.Parse([.. Enumerable.Repeat("score::1", 65)], null, null).Problem!.Field);
    }

    [Fact]
    public async Task TheExplorerApiAnswersPagesPlotsAndFilteredDownloads()
    {
        var node = fixture.Node;
        var id = await node.SubmitAsync("name: explore\ncandidates: {formulas: [LiFePO4, NaCl, Li2O, Fe2O3, LiCoO2, MgO, Li3PO4, CaTiO3]}\npredict: [band-gap-pbe, formation-energy]\n", fixture.Acme);
        Assert.Equal("Succeeded", (await node.WaitAsync(id, fixture.Acme)).GetProperty("state").GetString());
        var api = $"/api/v1/screenings/{id}";

        using var columns = await node.SendAsync(HttpMethod.Get, api + "/columns", fixture.Acme);
        var schema = await ServiceNode.JsonAsync(columns);
        Assert.Equal(8, schema.GetProperty("rows").GetInt32());
        var gap = schema.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "band_gap_pbe");
        Assert.Equal("eV", gap.GetProperty("unit").GetString());
        Assert.Equal("band_gap_pbe_std", gap.GetProperty("std").GetString());

        using var rows = await node.SendAsync(HttpMethod.Get, api + "/rows?sort=band_gap_pbe&order=desc&include=Li&limit=3", fixture.Acme);
        var page = await ServiceNode.JsonAsync(rows);
        Assert.Equal(4, page.GetProperty("matching").GetInt32());
        var gaps = page.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("band_gap_pbe").GetDouble()).ToArray();
        Assert.Equal(gaps.OrderDescending(), gaps);
        Assert.All(page.GetProperty("data").EnumerateArray(), r => Assert.Contains("Li", r.GetProperty("formula").GetString(), StringComparison.Ordinal));

        // The filtered download is the same rows in the same order.
        using var csv = await node.SendAsync(HttpMethod.Get, api + "/results?format=csv&sort=band_gap_pbe&order=desc&include=Li", fixture.Acme);
        var lines = (await csv.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).TrimEnd('\n').Split('\n');
        Assert.Equal(5, lines.Length);
        var formulaColumn = Array.IndexOf(lines[0].Split(','), "formula");
        Assert.Equal(page.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("formula").GetString()), lines.Skip(1).Take(3).Select(l => l.Split(',')[formulaColumn]));

        using var one = await node.SendAsync(HttpMethod.Get, api + "/rows/1", fixture.Acme);
        Assert.Equal(1, (await ServiceNode.JsonAsync(one)).GetProperty("data").GetProperty("rank").GetInt32());
        using var plot = await node.SendAsync(HttpMethod.Get, api + "/plot?x=band_gap_pbe&y=formation_energy&y_goal=min", fixture.Acme);
        var points = await ServiceNode.JsonAsync(plot);
        Assert.Equal(8, points.GetProperty("points").GetProperty("x").GetArrayLength());
        Assert.InRange(points.GetProperty("pareto").GetProperty("x").GetArrayLength(), 1, 8);
        using var elements = await node.SendAsync(HttpMethod.Get, api + "/elements?top=3", fixture.Acme);
        Assert.Equal(3, (await ServiceNode.JsonAsync(elements)).GetProperty("top").GetInt32());

        // Bad parameters name themselves; another tenant's screening does not exist for it.
        foreach (var (query, field) in new[] { ("/rows?sort=formula", "sort"), ("/rows?range=nope:0:1", "range"), ("/rows?order=up", "order"), ("/rows?limit=5000", "limit"), ("/rows?include=Qq", "include"), ("/plot?x=band_gap_pbe", "y"), ("/elements?top=0", "top") })
        {
            using var bad = await node.SendAsync(HttpMethod.Get, api + query, fixture.Acme);
            var problem = await ServiceNode.AssertProblemAsync(bad, HttpStatusCode.BadRequest, "invalid-request");
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{query}: {problem}");
        }

        using var missing = await node.SendAsync(HttpMethod.Get, api + "/rows/99", fixture.Acme);
        await ServiceNode.AssertProblemAsync(missing, HttpStatusCode.NotFound, "not-found");
        using var foreign = await node.SendAsync(HttpMethod.Get, api + "/rows", fixture.Other);
        await ServiceNode.AssertProblemAsync(foreign, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task ADryRunCountsAndEstimatesWithoutStoringAnything()
    {
        var node = fixture.Node;
        var spec = File.ReadAllText(Path.Combine(TestSupport.SharedFiles.RepositoryRoot, "examples", "li-solid-electrolytes.yaml"));
        using var response = await node.SendAsync(HttpMethod.Post, "/api/v1/screenings?dry_run=true", fixture.Other, spec);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ServiceNode.JsonAsync(response);
        Assert.Equal(193_334, body.GetProperty("candidates").GetInt64());
        Assert.True(body.GetProperty("sampled").GetInt64() > 0);
        Assert.True(body.GetProperty("estimated_thread_seconds").GetDouble() > 0);
        using var list = await node.SendAsync(HttpMethod.Get, "/api/v1/screenings", fixture.Other);
        Assert.DoesNotContain((await ServiceNode.JsonAsync(list)).GetProperty("data").EnumerateArray(), s => s.GetProperty("name").GetString() == "li-solid-electrolytes");

        using var bad = await node.SendAsync(HttpMethod.Post, "/api/v1/screenings?dry_run=true", fixture.Other, "name: x\ncandidates: {enumerate: {elements: [Li, Xx]}}\n");
        var problem = await ServiceNode.AssertProblemAsync(bad, HttpStatusCode.BadRequest, "invalid-spec");
        Assert.True(problem.GetProperty("errors").TryGetProperty("candidates.enumerate.elements", out _), problem.ToString());
    }
}
