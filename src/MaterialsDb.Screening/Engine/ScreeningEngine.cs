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
        var run = new ScreeningRun(plan, options, workers, cancellationToken);
        using var counted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task? counting = null;
        try
        {
            if (plan.Space is { } space)
            {
                // The total only feeds progress reports; counting costs a second pass over the space, so skip it
                // when nobody listens (service chunks, benchmarks). On several threads it runs beside the screening,
                // whose enumeration leaves cores idle, and progress has no total until it is known.
                if (options.Progress is not null && options.Start is null)
                {
                    void Count(int countThreads)
                    {
                        var available = Math.Max(0, CountEnumerated(space, countThreads, counted.Token) - options.Skip);
                        run.Total = options.Limit is { } l ? Math.Min(l, available) : available;
                    }

                    if (threads == 1)
                    {
                        Count(1);
                    }
                    else
                    {
                        counting = Task.Run(() => Count(threads), counted.Token);
                    }
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
            counted.Cancel();
            try
            {
                counting?.Wait(CancellationToken.None);
            }
            catch (AggregateException)
            {
                // Stopped with the run; the total only fed progress.
            }

            run.Drain();
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

    /// <summary>Candidates an enumerated space yields after its chemical filters (enumerates without screening; tens of millions per second per thread).</summary>
    /// <param name="space">The space.</param>
    /// <param name="threads">Threads that count element combinations in parallel.</param>
    /// <param name="cancellationToken">Stops counting.</param>
    public static long CountEnumerated(CandidateSpace space, int threads = 1, CancellationToken cancellationToken = default) => threads <= 1
        ? CandidateEnumerator.Enumerate(space, static (_, _) => { })
        : SpacePartitioner.Partition(space, long.MaxValue, threads: threads, cancellationToken: cancellationToken).Candidates;

    private sealed class ScreeningRun(ScreeningPlan plan, ScreeningOptions options, TileWorker[] workers, CancellationToken cancellationToken)
    {
        private readonly List<CandidateRow>[] _survivors = [.. workers.Select(_ => new List<CandidateRow>())];
        private readonly TopK? _top = plan.Ranking.IsPareto ? null : new TopK(plan.Spec.Top, plan.Ranking);
        private readonly List<CandidateRow> _all = [];
        private readonly double[] _amounts = new double[FormulaParser.MaxDistinctElements];
        private string?[]? _sources;
        private long _tileStart;
        private long _total = -1;

        // The tile being filled, and the one the workers screen meanwhile (enumeration is serial: on several threads the
        // next tile is enumerated while this one is screened).
        private CompositionBatch _tile = new(options.TileSize);
        private CompositionBatch _inFlight = new(options.TileSize);
        private Task? _screening;

        // Candidates handed to the workers; Processed counts those whose survivors are merged.
        private long _dispatched;

        // Set by the counting task while the run goes on.
        public long? Total
        {
            get => Volatile.Read(ref _total) is var t and >= 0 ? t : null;
            set => Volatile.Write(ref _total, value ?? -1);
        }

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
                    if (_tile.Count == options.TileSize || _dispatched + _tile.Count == options.Limit)
                    {
                        Dispatch(wait: workers.Length == 1);
                        if (_dispatched == options.Limit)
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

        /// <summary>Screens the tile being filled and merges every survivor so far.</summary>
        public void Flush() => Dispatch(wait: true);

        /// <summary>Waits for a tile in flight, if any, without merging it (the run is failing or cancelled).</summary>
        public void Drain()
        {
            try
            {
                _screening?.Wait(CancellationToken.None);
            }
            catch (AggregateException)
            {
                // Its exception is the run's, already thrown or superseded by the one that ends the run.
            }

            _screening = null;
        }

        // Completes the tile in flight, then hands the filled tile to the workers; with wait, completes it too.
        private void Dispatch(bool wait)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Complete();
            var count = _tile.Count;
            if (count == 0)
            {
                return;
            }

            (_tile, _inFlight) = (_inFlight, _tile);
            var tile = _inFlight;
            var first = _tileStart;
            var share = (count + workers.Length - 1) / workers.Length;
            void Screen() => Parallel.For(0, workers.Length, new ParallelOptions { MaxDegreeOfParallelism = workers.Length, CancellationToken = cancellationToken }, w =>
                workers[w].Process(tile, Math.Min(count, w * share), Math.Min(count, (w + 1) * share), first, _sources, _survivors[w], cancellationToken));
            _dispatched += count;
            _tileStart += count;
            if (wait)
            {
                Screen();
                Merge(count);
            }
            else
            {
                _screening = Task.Run(Screen, CancellationToken.None);
            }
        }

        // Waits for the tile in flight and merges its survivors.
        private void Complete()
        {
            if (_screening is not { } screening)
            {
                return;
            }

            _screening = null;
            screening.GetAwaiter().GetResult();
            Merge(_inFlight.Count);
        }

        private void Merge(int count)
        {
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
            _inFlight.Clear();
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
