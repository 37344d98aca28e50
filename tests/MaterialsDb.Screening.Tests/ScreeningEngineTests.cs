using MaterialsDb.Chemistry;
using MaterialsDb.Features;
using MaterialsDb.Screening.Engine;
using MaterialsDb.Screening.Enumeration;
using MaterialsDb.Screening.Spec;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Screening.Tests;

public sealed class ScreeningEngineTests(ScreeningFixture fixture) : IClassFixture<ScreeningFixture>
{
    [Fact]
    public void EqualsANaiveOneCandidateAtATimeScreening()
    {
        var plan = fixture.Plan(ScreeningFixture.Spec);
        var result = ScreeningEngine.Run(plan, new ScreeningOptions { TileSize = 300, Threads = 2 }, TestContext.Current.CancellationToken);

        // The naive way: every candidate alone through featurizer, both models and the scalar hull query, then sort.
        var expected = new List<(long Seq, string Formula, double Gap, double EAbove)>();
        var resources = fixture.Resources;
        var gapModel = resources.Models["band-gap-pbe"];
        var formModel = resources.Models["formation-energy"];
        var featurizer = resources.Featurizers[formModel.Manifest.Preset];
        var features = new float[featurizer.FeatureLabels.Count];
        long seq = 0;
        var space = plan.Space!;
        Assert.DoesNotContain(PeriodicTable.AtomicNumberOf("Na"), space.Palette);
        CandidateEnumerator.Enumerate(space, (z, coefficients) =>
        {
            var one = new CompositionBatch(1);
            one.Add(z, [.. coefficients.ToArray().Select(c => (double)c)]);
            var composition = one[0];
            var s = seq++;
            if (resources.Supply.Production(z, one.RowAmounts(0)) > 3000)
            {
                return;
            }

            featurizer.Featurize(one, 0, 1, features);
            var (eForm, gap) = (new float[1], new float[1]);
            formModel.Predict(features, 1, eForm, new float[1]);
            gapModel.Predict(features, 1, gap, new float[1]);
            var eAbove = resources.Hulls!.For(composition).GetEAboveHull(composition, eForm[0]);
            if (eAbove <= 0.3 && gap[0] >= 1.0)
            {
                expected.Add((s, composition.ReducedFormula, gap[0], eAbove));
            }
        });
        var top = expected.OrderByDescending(e => e.Gap).ThenBy(e => e.Seq).Take(40).ToArray();

        Assert.Equal(seq, result.Processed);
        Assert.Equal(expected.Count, result.Survivors);
        Assert.True(top.Length >= 10, $"only {top.Length} survivors; the test needs a real ranking");
        var q = plan.Quantities;
        Assert.Equal(top.Select(t => t.Formula), result.Rows.Select(r => Formula(r)));
        for (var i = 0; i < top.Length; i++)
        {
            Assert.Equal(top[i].Gap, result.Rows[i].Values[q["band-gap-pbe"]]);
            Assert.Equal(top[i].EAbove, result.Rows[i].Values[q[Quantities.EAboveHull]], 1e-9);
        }
    }

    [Fact]
    public void ResultsDoNotDependOnThreadsOrTileSize()
    {
        var plan = fixture.Plan(ScreeningFixture.Spec);
        var reference = ScreeningEngine.Run(plan, new ScreeningOptions { TileSize = 16_384, Threads = 1 }, TestContext.Current.CancellationToken);
        foreach (var (tile, threads) in new[] { (1, 2), (37, 2), (1000, 3) })
        {
            var other = ScreeningEngine.Run(plan, new ScreeningOptions { TileSize = tile, Threads = threads }, TestContext.Current.CancellationToken);
            Assert.Equal(reference.Rows.Select(r => r.Sequence), other.Rows.Select(r => r.Sequence));
            Assert.Equal(reference.Rows.SelectMany(r => r.Values), other.Rows.SelectMany(r => r.Values));
            Assert.Equal(reference.Stages.Select(s => s.Passed), other.Stages.Select(s => s.Passed));
        }
    }

    [Fact]
    public void LimitsAndProgressHoldWhileTheNextTileIsEnumerated()
    {
        // On several threads the next tile is enumerated while the workers screen this one, and the progress total is
        // counted beside the run: a skip and a limit must still cut the same candidates, and progress must only grow.
        var plan = fixture.Plan(ScreeningFixture.Spec);
        var available = ScreeningEngine.CountEnumerated(plan.Space!, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(available, ScreeningEngine.CountEnumerated(plan.Space!, threads: 2, TestContext.Current.CancellationToken));
        var limit = available - 40;   // cuts the stream inside a tile
        var reference = ScreeningEngine.Run(plan, new ScreeningOptions { TileSize = 37, Threads = 1, Skip = 13, Limit = limit }, TestContext.Current.CancellationToken);
        var reports = new List<ScreeningProgress>();
        var other = ScreeningEngine.Run(plan, new ScreeningOptions { TileSize = 37, Threads = 2, Skip = 13, Limit = limit, Progress = new Listener(reports.Add) }, TestContext.Current.CancellationToken);

        Assert.Equal(limit, reference.Processed);
        Assert.Equal(limit, other.Processed);
        Assert.Equal(reference.Rows.Select(r => r.Sequence), other.Rows.Select(r => r.Sequence));
        Assert.Equal(reference.Rows.SelectMany(r => r.Values), other.Rows.SelectMany(r => r.Values));
        Assert.Equal(reference.Stages.Select(s => s.Passed), other.Stages.Select(s => s.Passed));
        Assert.Equal(limit, reports[^1].Processed);
        Assert.Equal(reports.Select(r => r.Processed).Order(), reports.Select(r => r.Processed));
        Assert.All(reports.Where(r => r.Total is not null), r => Assert.Equal(limit, r.Total));
    }

    [Fact]
    public void CancellingWhileATileIsInFlightStopsTheRun()
    {
        using var cts = new CancellationTokenSource();
        var plan = fixture.Plan(ScreeningFixture.Spec);
        var options = new ScreeningOptions { TileSize = 16, Threads = 2, Progress = new Listener(_ => cts.Cancel()) };
        Assert.ThrowsAny<OperationCanceledException>(() => ScreeningEngine.Run(plan, options, cts.Token));
    }

    [Theory]
    [InlineData("by: [-band-gap-pbe]")]
    [InlineData("pareto: [e_above_hull, -band-gap-pbe]")]
    public async Task ChunksWrittenAsPartsAndMergedEqualOneRun(string rank)
    {
        var plan = fixture.Plan(ScreeningFixture.Spec.Replace("by: [-band-gap-pbe]", rank, StringComparison.Ordinal));
        var whole = ScreeningEngine.Run(plan, cancellationToken: TestContext.Current.CancellationToken);
        using var dir = new TempDirectory();
        var parts = new List<IReadOnlyList<CandidateRow>>();
        long processed = 0, survivors = 0;
        const int Chunk = 150;
        var partition = Enumeration.SpacePartitioner.Partition(plan.Space!, Chunk, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(whole.Processed, partition.Candidates);
        for (var k = 0; k < partition.Starts.Count; k++)
        {
            // Each chunk starts at its cursor, as the service's chunk jobs do: nothing before it is enumerated.
            var part = ScreeningEngine.Run(plan, new ScreeningOptions { Start = partition.Starts[k], StreamOffset = k * Chunk, Limit = Chunk, Partial = true, TileSize = 64 }, TestContext.Current.CancellationToken);
            Assert.Equal(Math.Min(Chunk, whole.Processed - (k * Chunk)), part.Processed);
            var file = dir.File($"part{k}.parquet");
            await Output.PartFile.WriteAsync(part.Rows, plan.Quantities, file, TestContext.Current.CancellationToken);
            parts.Add(await Output.PartFile.ReadAsync(file, plan.Quantities, TestContext.Current.CancellationToken));
            processed += part.Processed;
            survivors += part.Survivors;
        }

        var merged = ResultMerger.Merge(plan, parts, processed, survivors, whole.Stages, [], TimeSpan.Zero);
        Assert.Equal(whole.Processed, processed);
        Assert.Equal(whole.Survivors, survivors);
        Assert.Equal(whole.Rows.Select(r => r.Sequence), merged.Rows.Select(r => r.Sequence));
        Assert.Equal(whole.Rows.SelectMany(r => r.Values), merged.Rows.SelectMany(r => r.Values));
        Assert.Equal(whole.Rows.Select(r => Formula(r)), merged.Rows.Select(r => Formula(r)));
    }

    [Fact]
    public void StagesCountTheCascade()
    {
        var result = ScreeningEngine.Run(fixture.Plan(ScreeningFixture.Spec), cancellationToken: TestContext.Current.CancellationToken);
        var passed = result.Stages.Select(s => s.Passed).ToArray();
        Assert.Equal(["candidates", "element filters", "supply risk", "features", "formation-energy", "hull", "band-gap-pbe"], result.Stages.Select(s => s.Stage));
        Assert.Equal(result.Processed, passed[0]);
        for (var i = 1; i < passed.Length; i++)
        {
            Assert.True(passed[i] <= passed[i - 1], $"stage {i} passed more than the one before");
        }

        Assert.Equal(result.Survivors, passed[^1]);
        Assert.True(passed[2] < passed[1], "the HHI constraint removed nothing; pick a tighter bound");
    }

    [Fact]
    public void ObjectiveAndParetoRankings()
    {
        var objective = ScreeningFixture.Spec.Replace("by: [-band-gap-pbe]", "objective: {band-gap-pbe: 1.0, e_above_hull: -10.0}", StringComparison.Ordinal);
        var plan = fixture.Plan(objective);
        var q = plan.Quantities;
        var rows = ScreeningEngine.Run(plan, cancellationToken: TestContext.Current.CancellationToken).Rows;
        var scores = rows.Select(r => r.Values[q["band-gap-pbe"]] - (10 * r.Values[q[Quantities.EAboveHull]])).ToArray();
        Assert.Equal(scores.OrderDescending(), scores);

        var pareto = ScreeningFixture.Spec.Replace("by: [-band-gap-pbe]", "pareto: [e_above_hull, -band-gap-pbe]", StringComparison.Ordinal).Replace("top: 40", "top: 100000", StringComparison.Ordinal);
        plan = fixture.Plan(pareto);
        rows = ScreeningEngine.Run(plan, cancellationToken: TestContext.Current.CancellationToken).Rows;
        var front = rows.Where(r => r.Front == 0).ToArray();
        Assert.NotEmpty(front);
        Assert.True(rows.Select(r => r.Front).SequenceEqual(rows.Select(r => r.Front).Order()));

        // Nothing on the first front is dominated by any row; every later row is dominated by some earlier-front row.
        bool Dominates(CandidateRow a, CandidateRow b) =>
            a.Values[q[Quantities.EAboveHull]] <= b.Values[q[Quantities.EAboveHull]] && a.Values[q["band-gap-pbe"]] >= b.Values[q["band-gap-pbe"]]
            && (a.Values[q[Quantities.EAboveHull]] < b.Values[q[Quantities.EAboveHull]] || a.Values[q["band-gap-pbe"]] > b.Values[q["band-gap-pbe"]]);
        Assert.All(front, f => Assert.DoesNotContain(rows, r => Dominates(r, f)));
        Assert.All(rows.Where(r => r.Front > 0), r => Assert.Contains(rows, o => o.Front == r.Front - 1 && Dominates(o, r)));
    }

    [Fact]
    public void UncertaintyRanksByTheProbabilityThatConstraintsHold()
    {
        var spec = ScreeningFixture.Spec.Replace("by: [-band-gap-pbe]", "by: [-band-gap-pbe]\n  uncertainty: true", StringComparison.Ordinal);
        var plan = fixture.Plan(spec);
        var rows = ScreeningEngine.Run(plan, cancellationToken: TestContext.Current.CancellationToken).Rows;
        var p = rows.Select(r => r.Values[plan.Quantities[Quantities.Probability]]).ToArray();
        Assert.All(p, v => Assert.InRange(v, 0, 1));
        Assert.Equal(p.OrderDescending(), p);
        Assert.True(p.Distinct().Count() > 1);
    }

    [Fact]
    public void ListCandidatesKeepTheirRowsAndReportBadOnes()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(Path.Combine(dir.Path, "candidates.csv"), "formula\nLiCl\nXx2O\n\nMgO\nNaCl\nLi2O\nFE2O3\nLi2O\n");
        var spec = """
            name: list
            candidates: {list: candidates.csv}
            exclude_elements: [Na]
            predict: [band-gap-pbe]
            stability: {reference: mp_e_form, model: formation-energy}
            """;
        var result = ScreeningEngine.Run(fixture.Plan(spec), new ScreeningOptions { BaseDirectory = dir.Path }, TestContext.Current.CancellationToken);

        Assert.Equal(8, result.Processed);
        Assert.Equal([2L, 3, 7], result.Errors.Select(e => e.Row));
        Assert.Contains("Xx", result.Errors[0].Error, StringComparison.Ordinal);
        Assert.Equal(["LiCl", "MgO", "Li2O", "Li2O"], result.Rows.Select(r => r.SourceFormula));
        Assert.Equal([0L, 3, 5, 7], result.Rows.Select(r => r.Sequence));
    }

    [Fact]
    public void AMissingListFileIsNamed()
    {
        var spec = "name: x\ncandidates: {list: /nonexistent/c.csv}\npredict: [band-gap-pbe]\n";
        var e = Assert.Throws<FileNotFoundException>(() => ScreeningEngine.Run(fixture.Plan(spec), cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("/nonexistent/c.csv", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownModelIsASpecErrorNamingTheField()
    {
        var spec = SpecParser.Parse(ScreeningFixture.Spec.Replace("predict: [band-gap-pbe]", "predict: [band-gap-pbe, no-such-model]", StringComparison.Ordinal).Replace("by: [-band-gap-pbe]", "by: [-no-such-model]", StringComparison.Ordinal));
        var e = await Assert.ThrowsAsync<SpecException>(() => Resources.ScreeningResources.LoadAsync(spec, SharedFiles.MirrorStore(), fixture.Registry, TestContext.Current.CancellationToken));
        Assert.StartsWith("predict[1]: Model 'no-such-model'", e.Texts[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnElementWithoutOxidationStatesIsASpecErrorNamingIt()
    {
        var spec = SpecParser.Parse("name: x\ncandidates:\n  enumerate: {elements: [He, O], n_elements: [2, 2], max_coefficient: 2}\n");
        var e = await Assert.ThrowsAsync<SpecException>(() => Resources.ScreeningResources.LoadAsync(spec, SharedFiles.MirrorStore(), fixture.Registry, TestContext.Current.CancellationToken));
        Assert.Contains("no oxidation states for He", e.Texts[0], StringComparison.Ordinal);
    }

    [Fact]
    public void CancellationStopsTheRun()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => ScreeningEngine.Run(fixture.Plan(ScreeningFixture.Spec), new ScreeningOptions { TileSize = 64 }, cts.Token));
    }

    // Reports on the calling thread, unlike Progress<T>, which posts to the thread pool.
    private sealed class Listener(Action<ScreeningProgress> report) : IProgress<ScreeningProgress>
    {
        public void Report(ScreeningProgress value) => report(value);
    }

    private static string Formula(CandidateRow row)
    {
        var b = new CompositionBatch(1);
        b.Add(row.AtomicNumbers, row.Amounts);
        return b[0].ReducedFormula;
    }
}
