using System.Diagnostics;
using MaterialsDb.Chemistry;
using MaterialsDb.Data;
using MaterialsDb.Data.Tables;
using MaterialsDb.Screening.Enumeration;

namespace MaterialsDb.Screening.Engine;

/// <summary>
/// Runs a screening: candidates are generated into tiles, each tile is split across the worker threads and run
/// through the cascade, and the survivors feed a bounded top-K (or, for Pareto ranking, a list ranked at the end).
/// The result is the same rows in the same order whatever the thread count or tile size.
/// </summary>
public static class ScreeningEngine
{
    /// <summary>Screens <paramref name="plan"/>'s candidates.</summary>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <exception cref="InputDataException">The candidate list can't be read or has no formula column.</exception>
    public static ScreeningResult Run(ScreeningPlan plan, ScreeningOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        options ??= new ScreeningOptions();
        if (plan.Spec.Stability is { SelfConsistent: true } && !plan.WithCandidates)
        {
            return RunSelfConsistent(plan, options, cancellationToken);
        }

        return RunOnce(plan, options, cancellationToken);
    }

    // Two passes (progress reports each): the first finds every candidate predicted below the reference hull; they join
    // the reference (in stream order, so the hulls do not depend on threads or tiles) and the second pass screens
    // against that hull.
    private static ScreeningResult RunSelfConsistent(ScreeningPlan plan, ScreeningOptions options, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var candidates = CandidatesBelowHull(plan, options, cancellationToken);
        var result = RunOnce(WithCandidates(plan, candidates), options, cancellationToken);
        return result with { Elapsed = clock.Elapsed };
    }

    /// <summary>
    /// The first pass of a self-consistent screening: every candidate of the run that reaches the stability stage
    /// predicted below the reference hull, as phases (<see cref="ScreeningPlan.CandidateSource"/>) in stream order.
    /// A chunked service runs it over the whole space once; <see cref="WithCandidates"/> then gives every chunk the
    /// same hulls.
    /// </summary>
    public static IReadOnlyList<Stability.PhaseEntry> CandidatesBelowHull(ScreeningPlan plan, ScreeningOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var recording = plan.Recording();
        RunOnce(recording, options ?? new ScreeningOptions(), cancellationToken);
        return [.. recording.BelowHull!.OrderBy(c => c.Sequence).Select(c =>
        {
            var one = new CompositionBatch(1);
            one.Add(c.Z, c.Amounts);
            return new Stability.PhaseEntry($"candidate:{c.Sequence}", one[0], c.EForm, ScreeningPlan.CandidateSource);
        })];
    }

    /// <summary>The plan of the second pass: stability on the reference's phases plus <paramref name="candidates"/>.</summary>
    public static ScreeningPlan WithCandidates(ScreeningPlan plan, IEnumerable<Stability.PhaseEntry> candidates)
    {
        ArgumentNullException.ThrowIfNull(plan);
        // Hulls of systems no candidate lies in stay the reference's, already built.
        return plan.OnCandidateHulls(plan.Resources.Hulls!.WithEntries(candidates));
    }

    private static ScreeningResult RunOnce(ScreeningPlan plan, ScreeningOptions options, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TileSize, 1);
        var clock = Stopwatch.StartNew();
        var threads = Math.Max(1, options.Threads);
        var workers = Enumerable.Range(0, threads).Select(_ => new TileWorker(plan)).ToArray();
        try
        {
            var run = new ScreeningRun(plan, options, workers, cancellationToken);
            if (plan.Space is { } space)
            {
                // The total only feeds progress reports; counting costs a second pass over the space, so skip it
                // when nobody listens (service chunks, benchmarks).
                if (options.Progress is not null && options.Start is null)
                {
                    var available = Math.Max(0, CountEnumerated(space) - options.Skip);
                    run.Total = options.Limit is { } l ? Math.Min(l, available) : available;
                }

                run.Enumerate(space);
            }
            else
            {
                run.List(ReadCandidates(plan.Spec, options, cancellationToken));
            }

            run.Flush();
            var rows = run.Finish();
            var stages = plan.StageNames.Select((name, s) => new StageReport(name, workers.Sum(w => w.Counts[s]), workers.Sum(w => w.Ticks[s]) / (double)Stopwatch.Frequency)).ToArray();
            return new ScreeningResult(plan, rows, run.Processed, run.Survivors, stages, run.Errors, clock.Elapsed);
        }
        finally
        {
            foreach (var w in workers)
            {
                w.Dispose();
            }
        }
    }

    /// <summary>
    /// The candidates of a list spec: its inline <c>formulas</c>, the uploaded <see cref="ScreeningOptions.ListFile"/>, or
    /// (for a local spec only) the <c>list</c> file resolved against <see cref="ScreeningOptions.BaseDirectory"/>.
    /// </summary>
    /// <exception cref="InputDataException">The file can't be read or has no formula column, or a service spec has no uploaded file.</exception>
    public static StringColumn ReadCandidates(Spec.ScreeningSpec spec, ScreeningOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        if (spec.Formulas is { } inline)
        {
            return new StringColumn("formula", [.. inline]);
        }

        if (options.ListFile is { } uploaded)
        {
            return ReadList(uploaded, options.BaseDirectory, cancellationToken);
        }

        return spec.Origin == Spec.SpecOrigin.Local
            ? ReadList(spec.List!, options.BaseDirectory, cancellationToken)
            : throw new InputDataException("candidates.list: the uploaded file is missing.");
    }

    /// <summary>The <c>formula</c> column of a candidate list (CSV or Parquet; a relative path is taken from <paramref name="baseDirectory"/>).</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InputDataException">No text column named <c>formula</c>.</exception>
    public static StringColumn ReadList(string path, string baseDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.IsPathRooted(path) ? path : Path.Combine(baseDirectory, path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"candidates.list: '{full}' does not exist.");
        }

        var table = full.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)
            ? ParquetTableReader.ReadAsync(full, cancellationToken).GetAwaiter().GetResult().Table
            : CsvTableReader.Read(full, ["formula"]);
        return table.Contains("formula") && table["formula"] is StringColumn formulas
            ? formulas
            : throw new InputDataException($"{full}: no text column 'formula'; the columns are: {string.Join(", ", table.Columns.Select(c => c.Name))}.");
    }

    /// <summary>Candidates an enumerated space yields after its chemical filters (enumerates without screening; tens of millions per second).</summary>
    public static long CountEnumerated(CandidateSpace space) => CandidateEnumerator.Enumerate(space, static (_, _) => { });

    private sealed class ScreeningRun(ScreeningPlan plan, ScreeningOptions options, TileWorker[] workers, CancellationToken cancellationToken)
    {
        private readonly CompositionBatch _tile = new(options.TileSize);
        private readonly List<CandidateRow>[] _survivors = [.. workers.Select(_ => new List<CandidateRow>())];
        private readonly TopK? _top = plan.Ranking.IsPareto ? null : new TopK(plan.Spec.Top, plan.Ranking);
        private readonly List<CandidateRow> _all = [];
        private readonly double[] _amounts = new double[FormulaParser.MaxDistinctElements];
        private string?[]? _sources;
        private long _tileStart;

        public long? Total { get; set; }

        public long Processed { get; private set; }

        public long Survivors { get; private set; }

        public List<CandidateError> Errors { get; } = [];

        public void Enumerate(CandidateSpace space)
        {
            if (options.Limit == 0)
            {
                return;
            }

            try
            {
                var skipped = 0L;
                _tileStart = options.StreamOffset ?? options.Skip;
                CandidateEnumerator.Enumerate(space, (z, coefficients) =>
                {
                    if (skipped < options.Skip)
                    {
                        skipped++;
                        return;
                    }

                    for (var i = 0; i < coefficients.Length; i++)
                    {
                        _amounts[i] = coefficients[i];
                    }

                    _tile.Add(z, _amounts.AsSpan(0, coefficients.Length));
                    if (_tile.Count == options.TileSize || Processed + _tile.Count == options.Limit)
                    {
                        Flush();
                        if (Processed == options.Limit)
                        {
                            throw new LimitReached();
                        }
                    }
                }, options.Start);
            }
            catch (LimitReached)
            {
            }
        }

        public void List(StringColumn formulas)
        {
            _sources = new string?[options.TileSize];
            var end = options.Limit is { } limit ? Math.Min(formulas.Values.Length, options.Skip + limit) : formulas.Values.Length;
            Total = Math.Max(0, end - options.Skip);
            _tileStart = options.StreamOffset ?? options.Skip;
            for (var r = (int)Math.Min(options.Skip, end); r < end; r++)
            {
                var formula = formulas.Values[r];
                _sources[_tile.Count] = formula;
                if (string.IsNullOrWhiteSpace(formula))
                {
                    Errors.Add(new CandidateError(r + 1, formula, "empty formula"));
                    _tile.AddEmpty();
                }
                else if (!_tile.TryAdd(formula, out var error))
                {
                    Errors.Add(new CandidateError(r + 1, formula, error.Message));
                    _tile.AddEmpty();
                }

                if (_tile.Count == options.TileSize)
                {
                    Flush();
                }
            }
        }

        public void Flush()
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = _tile.Count;
            if (count == 0)
            {
                return;
            }

            var share = (count + workers.Length - 1) / workers.Length;
            Parallel.For(0, workers.Length, new ParallelOptions { MaxDegreeOfParallelism = workers.Length, CancellationToken = cancellationToken }, w =>
                workers[w].Process(_tile, Math.Min(count, w * share), Math.Min(count, (w + 1) * share), _tileStart, _sources, _survivors[w], cancellationToken));

            // Merge in worker order, i.e. candidate order.
            foreach (var list in _survivors)
            {
                foreach (var row in list)
                {
                    if (_top is not null)
                    {
                        _top.Add(row);
                    }
                    else
                    {
                        _all.Add(row);
                    }
                }

                Survivors += list.Count;
                list.Clear();
            }

            Processed += count;
            _tileStart += count;
            _tile.Clear();
            if (options.Progress is { } progress)
            {
                var stages = plan.StageNames.Select((name, i) => new StageReport(name, workers.Sum(w => w.Counts[i]), workers.Sum(w => w.Ticks[i]) / (double)Stopwatch.Frequency)).ToArray();
                progress.Report(new ScreeningProgress(Processed, Total, Survivors, stages));
            }
            if (_top is null && _all.Count > Ranking.MaxParetoSurvivors)
            {
                plan.Ranking.AssignFronts(_all);
            }
        }

        public List<CandidateRow> Finish()
        {
            if (_top is not null)
            {
                return _top.Sorted();
            }

            if (options.Partial)
            {
                return _all;
            }

            plan.Ranking.AssignFronts(_all);
            _all.Sort(plan.Ranking);
            return _all.Count > plan.Spec.Top ? _all[..plan.Spec.Top] : _all;
        }
    }

    private sealed class LimitReached : Exception
    {
    }
}
