using System.CommandLine;
using System.Globalization;
using MaterialsDb.Cli.Output;
using MaterialsDb.Models.Packages;
using MaterialsDb.Screening.Engine;
using MaterialsDb.Screening.Enumeration;
using MaterialsDb.Screening.Output;
using MaterialsDb.Screening.Resources;
using MaterialsDb.Screening.Spec;
using Spectre.Console;

namespace MaterialsDb.Cli.Commands;

/// <summary><c>materialsdb screen spec.yaml</c>: run a screening locally and write the ranked Parquet.</summary>
internal static class ScreenCommand
{
    public static Command Create(CliContext context)
    {
        var spec = new Argument<FileInfo>("spec") { Description = "Screening spec, YAML or JSON (see examples/)." };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Result file, .parquet (default) or .csv; default: <spec name>.parquet in the current folder." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Count the space exactly and estimate the time; screen nothing." };
        var threads = new Option<int>("--threads") { Description = "Worker threads (default: all cores). The result does not depend on it.", DefaultValueFactory = _ => Environment.ProcessorCount };
        var tile = new Option<int>("--tile-size") { Description = "Candidates per tile (memory bound). The result does not depend on it.", DefaultValueFactory = _ => new ScreeningOptions().TileSize };
        var command = new Command("screen", "Screen a composition space: enumerate or read candidates, filter, featurize, predict, score against the convex hull of the reference, apply constraints, rank, and write the top rows as Parquet.")
        {
            spec, output, dryRun, threads, tile,
        };
        command.SetAction(async (parse, ct) =>
        {
            var specFile = parse.GetValue(spec)!;
            if (!specFile.Exists)
            {
                throw new FileNotFoundException($"Spec file '{specFile.FullName}' does not exist.");
            }

            var text = await File.ReadAllTextAsync(specFile.FullName, ct).ConfigureAwait(false);
            var parsed = SpecParser.Parse(text);
            if (parse.GetValue(threads) < 1 || parse.GetValue(tile) < 1)
            {
                throw new InvalidOptionException("--threads and --tile-size must be at least 1.");
            }

            using var resources = await ScreeningResources.LoadAsync(parsed, context.Store, ModelRegistry.FromEnvironment(), ct).ConfigureAwait(false);
            var plan = new ScreeningPlan(parsed, resources);
            var options = new ScreeningOptions { Threads = parse.GetValue(threads), TileSize = parse.GetValue(tile), BaseDirectory = specFile.DirectoryName! };
            if (parse.GetValue(dryRun))
            {
                await DryRunAsync(context, plan, options, ct).ConfigureAwait(false);
                return 0;
            }

            var target = parse.GetValue(output)?.FullName ?? Path.GetFullPath(FileNames.Safe(parsed.Name, "screening") + ".parquet");
            var silent = context.Quiet;
            Task<ScreeningResult> Run(IProgress<ScreeningProgress>? progress) => Task.Run(() => ScreeningEngine.Run(plan, options with { Progress = progress }, ct), ct);
            ScreeningResult result;
            try
            {
                result = silent ? await Run(null).ConfigureAwait(false)
                    : ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected
                        ? await ScreeningProgressView.LiveAsync(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }), Run).ConfigureAwait(false)
                        : await Run(ScreeningProgressView.Log(context.Error)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl-C: nothing has been written (results are written only once the whole run is done).
                await context.Error.WriteLineAsync($"materialsdb: cancelled; {target} was not written.").ConfigureAwait(false);
                return 130;
            }

            await ResultTable.WriteAsync(result, text, target, ct).ConfigureAwait(false);
            if (result.Errors.Count > 0)
            {
                var errors = Path.ChangeExtension(target, ".errors.csv");
                await ResultTable.WriteErrorsAsync(result.Errors, errors, ct).ConfigureAwait(false);
                await context.Error.WriteLineAsync($"{result.Errors.Count} candidate(s) could not be read; see {errors}.").ConfigureAwait(false);
            }

            if (!silent)
            {
                await PrintSummaryAsync(context.Output, result, target).ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    private static async Task DryRunAsync(CliContext context, ScreeningPlan plan, ScreeningOptions options, CancellationToken ct)
    {
        var o = context.Output;
        long total;
        if (plan.Space is { } space)
        {
            var raw = SpaceCounter.Count(space);
            total = ScreeningEngine.CountEnumerated(space, options.Threads, ct);
            await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Space: {raw:N0} reduced compositions; {total:N0} pass the chemical filters{(space.ChargeNeutral ? $" (charge neutrality with {space.OxidationStates!.Name}{(space.ElectronegativityTest ? ", electronegativity test" : string.Empty)})" : string.Empty)}.")).ConfigureAwait(false);
        }
        else
        {
            total = ScreeningEngine.ReadCandidates(plan.Spec, options, ct).Values.Length;
            await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Candidate list {plan.Spec.List ?? "(inline formulas)"}: {total:N0} rows.")).ConfigureAwait(false);
        }

        // Time: screen a sample and extrapolate.
        const int SampleSize = 8192;
        var result = ScreeningEngine.Run(plan, options with { Limit = SampleSize }, ct);
        var perCandidate = result.Processed == 0 ? 0 : result.Elapsed.TotalSeconds / result.Processed;
        await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Estimate: {perCandidate * 1e6:0.#} µs per candidate on {options.Threads} thread(s) (a sample of {result.Processed:N0}) → about {TimeSpan.FromSeconds(perCandidate * total):hh\\:mm\\:ss} for {total:N0} candidates.")).ConfigureAwait(false);
    }

    private static async Task PrintSummaryAsync(TextWriter o, ScreeningResult result, string target)
    {
        await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Screened {result.Processed:N0} candidates in {result.Elapsed.TotalSeconds:0.0} s ({result.Processed / Math.Max(1e-9, result.Elapsed.TotalSeconds):N0}/s); {result.Survivors:N0} pass every constraint; {result.Rows.Count:N0} ranked rows written to {target}.")).ConfigureAwait(false);
        await o.WriteLineAsync("| stage | passed | thread time (s) |").ConfigureAwait(false);
        await o.WriteLineAsync("| --- | --- | --- |").ConfigureAwait(false);
        foreach (var s in result.Stages)
        {
            await o.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"| {s.Stage} | {s.Passed:N0} | {s.Seconds:0.###} |")).ConfigureAwait(false);
        }
    }
}
