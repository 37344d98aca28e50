using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MaterialsDb.Chemistry;
using MaterialsDb.Cli.Output;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Design.Benchmark;
using MaterialsDb.Design.Campaigns;
using MaterialsDb.Design.Space;
using MaterialsDb.Design.Spec;
using MaterialsDb.Features;
using MaterialsDb.Models.ElementSources;
using MaterialsDb.Models.Packages;

namespace MaterialsDb.Cli.Commands;

/// <summary><c>materialsdb design start | report | next | show | contribute | benchmark</c>: sequential-learning campaigns.</summary>
internal static class DesignCommand
{
    public static Command Create(CliContext context) => new("design", "Inverse design: sequential-learning campaigns that propose which compositions to make or compute next.")
    {
        Start(context), Report(context), Next(context), Show(context), Contribute(context), Benchmark(context),
    };

    private static Command Start(CliContext context)
    {
        var spec = new Argument<FileInfo>("spec") { Description = "Campaign spec, YAML or JSON (see examples/design/)." };
        var folder = new Option<DirectoryInfo?>("--folder", "-o") { Description = "The campaign folder (new or empty); default: the campaign's name in the current folder." };
        var (postgres, results, tenant) = (DatabaseOptions.Postgres(), DatabaseOptions.Results(), DatabaseOptions.Tenant());
        var command = new Command("start", "Start a campaign: read its first observations, fit the surrogates and propose the first batch.") { spec, folder, postgres, results, tenant };
        command.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(spec)!;
            if (!file.Exists)
            {
                throw new FileNotFoundException($"Spec file '{file.FullName}' does not exist.");
            }

            var text = await File.ReadAllTextAsync(file.FullName, ct).ConfigureAwait(false);
            var parsed = CampaignSpecParser.Parse(text);
            var target = parse.GetValue(folder)?.FullName ?? Path.GetFullPath(FileNames.Safe(parsed.Name, "campaign"));
            if (parsed.Observations?.Database is null)
            {
                await PrintRoundAsync(context, target, await Runner(context).StartAsync(text, file.DirectoryName!, target, ct).ConfigureAwait(false)).ConfigureAwait(false);
                return 0;
            }

            // The database is opened only for a spec that reads from it; it reads as the tenant would through the API.
            var (database, dispose) = await ServiceCommands.OpenDatabaseAsync(parse.GetValue(postgres), parse.GetValue(results), ct).ConfigureAwait(false);
            await using (dispose)
            {
                var reader = new MaterialsDb.Service.Materials.DatabaseObservationReader(_ => Task.FromResult(database), new MaterialsDb.Database.Viewer(parse.GetValue(tenant)));
                var round = await new CampaignRunner(context.Store, ModelRegistry.FromEnvironment(), reader).StartAsync(text, file.DirectoryName!, target, ct).ConfigureAwait(false);
                var version = (await CampaignRunner.LoadAsync(target, ct).ConfigureAwait(false)).State.DatabaseVersion;
                await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Observations: {round.ObservationsUsed:N0} from the shared database at version {version}.")).ConfigureAwait(false);
                await PrintRoundAsync(context, target, round).ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    private static Command Report(CliContext context)
    {
        var campaign = new Argument<DirectoryInfo>("campaign") { Description = "The campaign folder." };
        var results = new Argument<FileInfo>("results") { Description = "CSV with a 'formula' column and a column per property (an empty cell: not measured)." };
        var column = new Option<string[]>("--column") { Description = "property=column: read a property from a column of another name (e.g. yield_strength=prediction).", AllowMultipleArgumentsPerToken = false };
        var command = new Command("report", "Add measured or computed results to a campaign.") { campaign, results, column };
        command.SetAction(async (parse, ct) =>
        {
            var map = Pairs(parse.GetValue(column), "--column", "property=column");
            var summary = await Runner(context).ReportAsync(parse.GetValue(campaign)!.FullName, parse.GetValue(results)!.FullName, map, ct).ConfigureAwait(false);
            await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Added {summary.Added:N0} observation(s), {summary.Matched:N0} answering proposals.{(summary.Ignored.Count > 0 ? $" Ignored columns: {string.Join(", ", summary.Ignored)}." : string.Empty)}")).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static Command Next(CliContext context)
    {
        var campaign = new Argument<DirectoryInfo>("campaign") { Description = "The campaign folder." };
        var command = new Command("next", "Refit the surrogates on every observation and propose the next batch.") { campaign };
        command.SetAction(async (parse, ct) =>
        {
            var folder = parse.GetValue(campaign)!.FullName;
            var round = await Runner(context).NextAsync(folder, ct).ConfigureAwait(false);
            await PrintRoundAsync(context, folder, round).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static Command Show(CliContext context)
    {
        var campaign = new Argument<DirectoryInfo>("campaign") { Description = "The campaign folder." };
        var format = TableOutput.FormatOption();
        var command = new Command("show", "Print a campaign's history: per round the best observation so far and the model's error on the results reported for it.") { campaign, format };
        command.SetAction(async (parse, ct) =>
        {
            var (_, spec, state) = await CampaignRunner.LoadAsync(parse.GetValue(campaign)!.FullName, ct).ConfigureAwait(false);
            var history = CampaignHistory.Of(spec, state);
            var chosen = TableOutput.Resolve(parse.GetValue(format), false, context.Output);
            if (chosen == OutputFormat.Table)
            {
                await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{state.Name}: {state.Observations.Count:N0} observations, {state.Rounds.Count} round(s); goals: {string.Join(", ", spec.Objectives.Select(o => $"{o.Property} {o.GoalText}"))}")).ConfigureAwait(false);
            }

            await TableOutput.WriteAsync(context.Output, chosen, history.Columns, history.Rows).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    private static Command Contribute(CliContext context)
    {
        var campaign = new Argument<DirectoryInfo>("campaign") { Description = "The campaign folder." };
        var filing = DatabaseOptions.FilingOptions("Energy scheme: experiment (measured results), ml (predictions), or a DFT scheme for computed formation energies: ", string.Empty, "Batch label (default: 'design campaign <name>').");
        var unit = new Option<string[]>("--unit") { Description = "property=unit, for a property whose objective names no units (e.g. hardness=HV).", AllowMultipleArgumentsPerToken = false };
        var (postgres, results, tenant) = (DatabaseOptions.Postgres(), DatabaseOptions.Results(), DatabaseOptions.Tenant());
        var command = new Command("contribute", "Contribute a campaign's reported results to the shared materials database (each result once, with the campaign as provenance).")
        {
            campaign, unit, tenant, postgres, results,
        };
        foreach (var option in filing.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            var units = Pairs(parse.GetValue(unit), "--unit", "property=unit");
            var folder = parse.GetValue(campaign)!.FullName;

            // Read first: a folder that is no campaign is named before any database is opened.
            await CampaignRunner.LoadAsync(folder, ct).ConfigureAwait(false);
            var (database, dispose) = await ServiceCommands.OpenDatabaseAsync(parse.GetValue(postgres), parse.GetValue(results), ct).ConfigureAwait(false);
            await using var _ = dispose;
            // Whoever runs this command has the database itself in hand: it acts as an operator (may publish).
            var viewer = new MaterialsDb.Database.Viewer(parse.GetValue(tenant), IsOperator: true);
            var result = await MaterialsDb.Service.Materials.CampaignContributions.ContributeAsync(folder, database, viewer, filing.Defaults(parse), units, ct).ConfigureAwait(false);
            await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{result.Ids.Count:N0} result(s) contributed as database version {result.Version}: {result.Ids[0]}{(result.Ids.Count > 1 ? $" to {result.Ids[^1]}" : string.Empty)}{(result.Replayed ? " (stored by an earlier attempt; now recorded in the campaign)" : string.Empty)}.")).ConfigureAwait(false);
            return 0;
        });
        return command;
    }

    // name=value options, each value named when it lacks either side.
    private static Dictionary<string, string> Pairs(string[]? values, string option, string shape)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in values ?? [])
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            if (at <= 0 || at == pair.Length - 1)
            {
                throw new InvalidOptionException($"{option}: '{pair}' must be {shape}.");
            }

            map[pair[..at]] = pair[(at + 1)..];
        }

        return map;
    }

    private static Command Benchmark(CliContext context)
    {
        var dataset = new Option<string?>("--dataset") { Description = "A catalog dataset id or a CSV with a 'formula' column and the target column: the pool, its labels hidden." };
        var target = new Option<string?>("--target") { Description = "The target column (default: the catalog dataset's target)." };
        var space = new Option<FileInfo?>("--space") { Description = "Instead of --dataset: a discrete campaign spec whose screened space is the pool, labelled by --truth-model." };
        var truth = new Option<string?>("--truth-model") { Description = "With --space: the model whose predictions are the hidden truth (e.g. band-gap-pbe)." };
        var goal = new Option<string>("--goal") { Description = "max, min or window:a..b.", DefaultValueFactory = _ => "max" };
        var top = new Option<double>("--top-percent") { Description = "For max/min: the top share of the pool that counts as a hit.", DefaultValueFactory = _ => 1 };
        var initial = new Option<int>("--initial") { Description = "Random non-hits each campaign starts from.", DefaultValueFactory = _ => 50 };
        var batch = new Option<int>("--batch") { Description = "Proposals per round.", DefaultValueFactory = _ => 10 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds per campaign.", DefaultValueFactory = _ => 30 };
        var seeds = new Option<int>("--seeds") { Description = "Campaigns per acquisition function.", DefaultValueFactory = _ => 20 };
        var acquisition = new Option<string>("--acquisition") { Description = "Comma-separated functions to compare (random and greedy always run).", DefaultValueFactory = _ => "ei,ucb,pi,explore" };
        var kappa = new Option<double>("--kappa") { Description = "UCB's κ.", DefaultValueFactory = _ => 2 };
        var distance = new Option<double>("--min-distance") { Description = "Smallest composition distance between two proposals of a batch (0–1).", DefaultValueFactory = _ => 0.05 };
        var members = new Option<int>("--members") { Description = "Surrogate ensemble members.", DefaultValueFactory = _ => new SurrogateSpec().Members };
        var featurizerOption = new Option<string>("--featurizer") { Description = "The surrogate's featurizer preset.", DefaultValueFactory = _ => new SurrogateSpec().Featurizer };
        featurizerOption.AcceptOnlyFromAmong([.. FeaturizerPresets.Names]);
        var trees = new Option<int>("--trees") { Description = "Trees per surrogate member.", DefaultValueFactory = _ => new SurrogateSpec().Trees };
        var focus = new Option<double>("--focus") { Description = "Weigh an observation of rank r among n (1 the worst by the goal) by (r/n)^focus in the surrogate's fit, so it is fitted where the goal lies; 0 weighs all alike.", DefaultValueFactory = _ => new SurrogateSpec().Focus };
        var model = new Option<SurrogateModel>("--surrogate") { Description = "The surrogate: trees (a bootstrap LightGBM ensemble) or linear (Bayesian linear regression with relevance determination: extrapolates trends).", DefaultValueFactory = _ => SurrogateModel.Trees };
        var json = new Option<FileInfo?>("--json") { Description = "Also write the results as JSON: {\"results\": [{acquisition, median_evaluations_to_first_hit, discovery_yield, acceleration_factor}, ...]}." };
        var threads = new Option<int>("--threads") { Description = "Campaigns run at once (default: all cores). The results do not depend on it.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var command = new Command("benchmark", "Simulated campaigns on a labelled pool: evaluations to the first hit, discovery yield and acceleration over random, per acquisition function.")
        {
            dataset, target, space, truth, goal, top, initial, batch, rounds, seeds, acquisition, kappa, distance, members, featurizerOption, trees, model, focus, json, threads,
        };
        command.SetAction(async (parse, ct) =>
        {
            var objective = ParseGoal(parse.GetValue(goal)!);
            var kinds = new List<AcquisitionKind>();
            foreach (var name in parse.GetValue(acquisition)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!CampaignSpecParser.TryAcquisition(name, out var kind) || kind == AcquisitionKind.Ehvi)
                {
                    throw new InvalidOptionException($"--acquisition: '{name}' is not one of: ei, ucb, pi, explore, greedy, random.");
                }

                kinds.Add(kind);
            }

            var options = new SimulationOptions(parse.GetValue(initial), parse.GetValue(batch), parse.GetValue(rounds), parse.GetValue(seeds), kinds, new SurrogateSpec { Members = parse.GetValue(members), Featurizer = parse.GetValue(featurizerOption)!, Trees = parse.GetValue(trees), Model = parse.GetValue(model), Focus = parse.GetValue(focus) }, parse.GetValue(kappa), parse.GetValue(distance), parse.GetValue(threads));
            if (options.Initial < EnsembleSurrogateMinimum || options.Batch < 1 || options.Rounds < 1 || options.Seeds < 1 || options.Threads < 1 || options.Surrogate.Members is < 2 or > CampaignSpecParser.MaxMembers || options.Surrogate.Trees is < 1 or > 5000 || !(parse.GetValue(top) is > 0 and < 100) || options.Kappa < 0 || options.MinDistance is < 0 or >= 1)
            {
                throw new InvalidOptionException($"Need --initial ≥ {EnsembleSurrogateMinimum}, --batch, --rounds, --seeds and --threads ≥ 1, 2 ≤ --members ≤ {CampaignSpecParser.MaxMembers}, 0 < --top-percent < 100, --kappa ≥ 0 and 0 ≤ --min-distance < 1.");
            }

            if (options.Surrogate.Focus is not (>= 0 and <= SurrogateSpec.MaxFocus))
            {
                throw new InvalidOptionException($"--focus: from 0 to {SurrogateSpec.MaxFocus}.");
            }

            var (task, featurizer, supply) = await LoadTaskAsync(context, options.Surrogate.Featurizer, parse.GetValue(dataset), parse.GetValue(target), parse.GetValue(space), parse.GetValue(truth), objective, parse.GetValue(top), ct).ConfigureAwait(false);
            var total = (kinds.Count + 2) * options.Seeds;
            var progress = context.Quiet ? null : new Progress<int>(done => context.Error.Write(string.Create(CultureInfo.InvariantCulture, $"\r{done}/{total} campaigns")));
            var report = await Task.Run(() => SimulatedCampaigns.Run(task, options, featurizer, supply, progress, ct), ct).ConfigureAwait(false);
            if (!context.Quiet)
            {
                await context.Error.WriteLineAsync().ConfigureAwait(false);
            }

            await PrintReportAsync(context, report, options).ConfigureAwait(false);
            if (parse.GetValue(json) is { } file)
            {
                var document = new
                {
                    task = report.Task,
                    goal = report.Goal,
                    pool = report.Pool,
                    hits = report.Hits,
                    initial = options.Initial,
                    batch = options.Batch,
                    rounds = options.Rounds,
                    seeds = options.Seeds,
                    random_expectation = report.RandomExpectation,
                    results = report.Results.Select(r => new
                    {
                        acquisition = r.Acquisition,
                        median_evaluations_to_first_hit = r.MedianEvaluationsToFirstHit,
                        evaluations_to_first_hit_iqr = new[] { r.LowerQuartile, r.UpperQuartile },
                        discovery_yield = r.DiscoveryYield,
                        acceleration_factor = r.AccelerationFactor,
                        acceleration_factor_vs_simulated_random = r.AccelerationFactorSimulated,
                        campaigns_with_a_hit = r.CampaignsWithAHit,
                        seconds_per_round = r.SecondsPerRound,
                    }),
                };
                await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }), ct).ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    private const int EnsembleSurrogateMinimum = Design.Surrogate.EnsembleSurrogate.MinimumObservations;

    private static CampaignRunner Runner(CliContext context) => new(context.Store, ModelRegistry.FromEnvironment());

    private static Objective ParseGoal(string text)
    {
        if (text is "max" or "min")
        {
            return new Objective("target", text == "max" ? Goal.Max : Goal.Min);
        }

        var parts = text.StartsWith("window:", StringComparison.Ordinal) ? text[7..].Split("..") : [];
        if (parts.Length == 2 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var lo) && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var hi) && double.IsFinite(lo) && double.IsFinite(hi) && lo <= hi)
        {
            return new Objective("target", Goal.Window, lo, hi);
        }

        throw new InvalidOptionException($"--goal: '{text}' must be max, min or window:a..b (e.g. window:1.1..1.5).");
    }

    private static async Task<(SimulationTask, ICompositionFeaturizer, Screening.Scoring.SupplyRisk)> LoadTaskAsync(CliContext context, string surrogatePreset, string? dataset, string? target, FileInfo? space, string? truthModel, Objective goal, double top, CancellationToken ct)
    {
        if ((dataset is null) == (space is null) || (space is null) != (truthModel is null))
        {
            throw new InvalidOptionException("Give either --dataset (with an optional --target) or --space with --truth-model.");
        }

        var design = await CampaignRunner.ResourcesAsync(surrogatePreset, context.Store, ct).ConfigureAwait(false);
        if (dataset is not null)
        {
            string path, formulaColumn, name = dataset;
            if (DatasetCatalog.Default.TryGet(dataset, out var entry) && entry.Format.Kind == "csv")
            {
                path = await context.Store.EnsureFileAsync(entry, entry.Files[0], cancellationToken: ct).ConfigureAwait(false);
                formulaColumn = entry.Format.FormulaColumn ?? "formula";
                target ??= entry.Format.Target;
            }
            else if (File.Exists(dataset))
            {
                (path, formulaColumn, name) = (dataset, "formula", Path.GetFileNameWithoutExtension(dataset));
            }
            else
            {
                throw new InvalidOptionException($"--dataset: '{dataset}' is neither a table of the catalog nor an existing CSV file.");
            }

            if (target is null)
            {
                throw new InvalidOptionException("--target: name the target column of the CSV.");
            }

            var rows = ObservationLoader.Read(path, formulaColumn, ["target"], new Dictionary<string, string> { ["target"] = target });
            var batch = new CompositionBatch(rows.Formulas.Count);
            foreach (var f in rows.Formulas)
            {
                batch.Add(Composition.Parse(f));
            }

            return (new SimulationTask($"{name}:{target}", batch, [.. rows.Values.Select(v => v[0])], goal, top), design.Featurizer, design.Supply);
        }

        // A screened space labelled by a shipped model: large pools with a known truth.
        var text = await File.ReadAllTextAsync(space!.FullName, ct).ConfigureAwait(false);
        var campaign = CampaignSpecParser.Parse(text);
        if (campaign.Discrete is null)
        {
            throw new InvalidOptionException("--space: the spec's space must be discrete (candidates), not continuous.");
        }

        var registry = ModelRegistry.FromEnvironment();
        var pool = await PoolBuilder.ScreenAsync(campaign.Discrete, design.Featurizer, context.Store, registry, space.DirectoryName!, null, ct).ConfigureAwait(false);
        var folder = registry.Resolve(truthModel!);
        var preset = ModelManifest.Read(Path.Combine(folder, ModelRegistry.ManifestFile)).Preset;
        var featurizer = FeaturizerPresets.Create(preset, await MagpieElementData.LoadAsync(context.Store, cancellationToken: ct).ConfigureAwait(false));
        using var model = OnnxModel.Load(folder, featurizer);
        var features = new float[pool.Count * featurizer.FeatureLabels.Count];
        BatchFeaturizer.Featurize(featurizer, pool.Batch, features, cancellationToken: ct);
        var (mean, std) = (new float[pool.Count], new float[pool.Count]);
        model.Predict(features, pool.Count, mean, std);
        return (new SimulationTask($"{campaign.Name}:{truthModel}", pool.Batch, [.. mean.Select(m => (double)m)], goal, top), design.Featurizer, design.Supply);
    }

    private static async Task PrintRoundAsync(CliContext context, string folder, RoundRecord round)
    {
        if (context.Quiet)
        {
            return;
        }

        var o = context.Output;
        await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Round {round.Round}: {round.Proposals.Count} proposals from {round.Feasible:N0} feasible of {round.Scored:N0} scored candidates, {round.ObservationsUsed:N0} observations, {round.Seconds:F2} s; σ calibration {string.Join(", ", round.Calibration.Select(c => $"{c.Key} ×{c.Value:F2}"))}")).ConfigureAwait(false);
        var properties = round.Proposals.FirstOrDefault()?.Mean.Keys.ToList() ?? [];
        var headers = new List<string> { "rank", "formula" };
        headers.AddRange(properties.Select(p => $"{p} (mean ± σ)"));
        headers.Add("acquisition");
        var rows = round.Proposals.Select(p => new object?[] { p.Rank, p.Formula }
            .Concat(properties.Select(x => (object?)string.Create(CultureInfo.InvariantCulture, $"{p.Mean[x]:G4} ± {p.Std[x]:G3}")))
            .Append(p.Acquisition).ToArray());
        await TableOutput.WriteAsync(o, OutputFormat.Table, headers, rows).ConfigureAwait(false);
        await o.WriteLineAsync($"Batch: {string.Join(", ", round.Files.Select(f => Path.Combine(folder, f)))}").ConfigureAwait(false);
    }

    private static async Task PrintReportAsync(CliContext context, SimulationReport report, SimulationOptions options)
    {
        var o = context.Output;
        await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{report.Task}, goal {report.Goal}: {report.Pool:N0} candidates, {report.Hits:N0} hits; {options.Initial} initial non-hits, {options.Rounds} rounds of {options.Batch} ({report.Budget} evaluations), {options.Seeds} seeds; random expects {report.RandomExpectation:F1} draws to the first hit")).ConfigureAwait(false);
        string[] headers = ["acquisition", "median evals to 1st hit", "IQR", "campaigns with a hit", "discovery yield", "acceleration (analytic random)", "acceleration (simulated random)", "s/round"];
        var rows = report.Results.Select(r => new object?[]
        {
            r.Acquisition,
            Evals(r.MedianEvaluationsToFirstHit, report.Budget),
            $"{Evals(r.LowerQuartile, report.Budget)}–{Evals(r.UpperQuartile, report.Budget)}",
            $"{r.CampaignsWithAHit}/{options.Seeds}",
            Math.Round(r.DiscoveryYield, 3),
            Math.Round(r.AccelerationFactor, 2),
            Math.Round(r.AccelerationFactorSimulated, 2),
            Math.Round(r.SecondsPerRound, 3),
        });
        await TableOutput.WriteAsync(o, TableOutput.IsTerminal(o) ? OutputFormat.Table : OutputFormat.Tsv, headers, rows).ConfigureAwait(false);
    }

    private static string Evals(double value, int budget) => value > budget ? $">{budget}" : value.ToString("0.#", CultureInfo.InvariantCulture);
}
