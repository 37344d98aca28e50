using System.CommandLine;
using MaterialsDb.Cli.Output;
using MaterialsDb.Data.Catalog;
using MaterialsDb.Data.Downloads;
using Spectre.Console;

namespace MaterialsDb.Cli.Commands;

/// <summary><c>materialsdb datasets list | pull | verify</c>.</summary>
internal static class DatasetsCommand
{
    public static Command Create(CliContext context)
    {
        var format = TableOutput.FormatOption();
        var json = TableOutput.JsonOption();
        var list = new Command("list", "List the catalog's datasets: id, title, size and whether they are cached.") { format, json };
        list.SetAction((parse, _) => ListAsync(context, TableOutput.Resolve(parse.GetValue(format), parse.GetValue(json), context.Output)));

        var ids = new Argument<string[]>("ids") { Description = "Dataset ids (see 'datasets list').", Arity = ArgumentArity.ZeroOrMore };
        var all = new Option<bool>("--all") { Description = "Pull every dataset of the catalog." };
        var pull = new Command("pull", "Download datasets into the cache ($MATERIALSDB_HOME, default ~/.materialsdb), verifying each file's SHA-256.") { ids, all };
        pull.SetAction((parse, ct) => PullAsync(context, Select(parse.GetValue(ids), parse.GetValue(all)), ct));

        var verifyIds = new Argument<string[]>("ids") { Description = "Dataset ids; all cached ones when omitted.", Arity = ArgumentArity.ZeroOrMore };
        var verify = new Command("verify", "Re-hash cached files and report any that no longer match the catalog.") { verifyIds };
        verify.SetAction((parse, ct) => VerifyAsync(context, parse.GetValue(verifyIds), ct));

        return new Command("datasets", "The dataset catalog and the local cache.") { list, pull, verify };
    }

    private static async Task<int> ListAsync(CliContext context, OutputFormat format)
    {
        var rows = DatasetCatalog.Default.Datasets.Select(d => new object?[] { d.Id, d.Title, format == OutputFormat.Table ? FormatSize(d.Size) : d.Size, context.Store.IsCached(d) });
        await TableOutput.WriteAsync(context.Output, format, ["id", "title", format == OutputFormat.Table ? "size" : "size_bytes", "cached"], rows).ConfigureAwait(false);
        return 0;
    }

    private static IReadOnlyList<DatasetEntry> Select(string[]? ids, bool all)
    {
        if (all)
        {
            return DatasetCatalog.Default.Datasets;
        }

        return ids is { Length: > 0 }
            ? [.. ids.Select(DatasetCatalog.Default.Get)]
            : throw new InvalidOptionException("Name at least one dataset id, or use --all. 'materialsdb datasets list' shows the ids.");
    }

    private static async Task<int> PullAsync(CliContext context, IReadOnlyList<DatasetEntry> datasets, CancellationToken cancellationToken)
    {
        var console = Console(context.Output);
        var interactive = ReferenceEquals(context.Output, System.Console.Out) && !System.Console.IsOutputRedirected;
        foreach (var dataset in datasets)
        {
            if (context.Store.IsCached(dataset))
            {
                await context.Output.WriteLineAsync($"{dataset.Id}: cached").ConfigureAwait(false);
                continue;
            }

            if (interactive)
            {
                await console.Progress().StartAsync(async p =>
                {
                    var task = p.AddTask(dataset.Id, maxValue: dataset.Size);
                    var done = new Dictionary<string, long>();
                    var progress = new SynchronousProgress<DownloadProgress>(d =>
                    {
                        done[d.FileName] = d.BytesReceived;
                        task.Value = done.Values.Sum();
                    });
                    await context.Store.EnsureAsync(dataset, progress, cancellationToken).ConfigureAwait(false);
                    task.Value = dataset.Size;
                }).ConfigureAwait(false);
            }
            else
            {
                await context.Store.EnsureAsync(dataset, null, cancellationToken).ConfigureAwait(false);
            }

            await context.Output.WriteLineAsync($"{dataset.Id}: {dataset.Files.Count} file(s), {FormatSize(dataset.Size)}, verified -> {context.Store.DatasetDirectory(dataset)}").ConfigureAwait(false);
        }

        return 0;
    }

    private static async Task<int> VerifyAsync(CliContext context, string[]? ids, CancellationToken cancellationToken)
    {
        var datasets = ids is { Length: > 0 }
            ? ids.Select(DatasetCatalog.Default.Get).ToList()
            : DatasetCatalog.Default.Datasets.Where(d => d.Files.Any(f => File.Exists(context.Store.FilePath(d, f)))).ToList();
        var failures = 0;
        foreach (var dataset in datasets)
        {
            var bad = await context.Store.VerifyAsync(dataset, cancellationToken).ConfigureAwait(false);
            failures += bad.Count;
            await context.Output.WriteLineAsync(bad.Count == 0 ? $"{dataset.Id}: ok" : $"{dataset.Id}: missing or changed: {string.Join(", ", bad)}").ConfigureAwait(false);
        }

        return failures == 0 ? 0 : CliApp.ErrorExitCode;
    }

    private static IAnsiConsole Console(TextWriter output) =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });

    private static string FormatSize(long bytes) => bytes switch
    {
        >= 1 << 20 => $"{bytes / (double)(1 << 20):0.0} MiB",
        >= 1 << 10 => $"{bytes / (double)(1 << 10):0.0} KiB",
        _ => $"{bytes} B",
    };

    // Progress<T> posts to the thread pool; the Spectre task must be updated in order.
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
