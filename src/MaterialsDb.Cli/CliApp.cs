using System.CommandLine;
using MaterialsDb.Chemistry;
using MaterialsDb.Cli.Commands;
using MaterialsDb.Data.Downloads;

namespace MaterialsDb.Cli;

/// <summary>Builds the <c>materialsdb</c> command tree and runs it with the given output writers.</summary>
public static class CliApp
{
    /// <summary>Exit code for bad input files, failed downloads and other runtime errors.</summary>
    public const int ErrorExitCode = 1;

    /// <summary>Exit code for usage errors: unknown commands or options, missing arguments, option values out of range.</summary>
    public const int UsageExitCode = 2;

    /// <summary>Exit code after Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int CancelledExitCode = 130;

    /// <summary>Runs the program; returns the process exit code.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="output">Where results and progress go.</param>
    /// <param name="error">Where errors go, one line each.</param>
    /// <param name="store">The dataset cache; by default configured from the environment.</param>
    /// <param name="cancellationToken">Stops long work.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, DatasetStore? store = null, CancellationToken cancellationToken = default)
    {
        var context = new CliContext(output, error, store ?? DatasetStore.FromEnvironment());
        var root = new RootCommand("MaterialsDb: virtual screening and property prediction for inorganic materials.")
        {
            DatasetsCommand.Create(context),
            CompositionCommand.Create(context),
            FeaturizeCommand.Create(context),
            StabilityCommand.CreateStability(context),
            StabilityCommand.CreateHull(context),
            ModelsCommand.Create(context),
            ModelsCommand.CreatePredict(context),
            ScreenCommand.Create(context),
            DesignCommand.Create(context),
            ResultsCommand.Create(context),
        };
        foreach (var command in ServiceCommands.Create(context))
        {
            root.Subcommands.Add(command);
        }

        root.Subcommands.Add(CompletionCommand.Create(context));
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print nothing but results and errors: no progress, no summaries.", Recursive = true };
        root.Options.Add(quiet);

        // Ctrl-C cancels the command's token; long commands get 10 s to stop cleanly before the process is ended.
        var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(10) };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                await error.WriteLineAsync($"materialsdb: error: {problem.Message}").ConfigureAwait(false);
            }

            var command = string.Join(' ', CommandPath(parse.CommandResult).Prepend("materialsdb"));
            await error.WriteLineAsync($"Usage: see '{command} --help'.").ConfigureAwait(false);
            return UsageExitCode;
        }

        context.Quiet = parse.GetValue(quiet);
        try
        {
            return await parse.InvokeAsync(config, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (ExitCodeFor(e) is { } code)
        {
            await error.WriteLineAsync($"materialsdb: error: {OneLine(e)}").ConfigureAwait(false);
            return code;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("materialsdb: cancelled").ConfigureAwait(false);
            return CancelledExitCode;
        }
    }

    // The command words after the program name, e.g. "models train".
    private static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new Stack<string>();
        for (var r = result; r?.Parent is System.CommandLine.Parsing.CommandResult parent; r = parent)
        {
            names.Push(r.Command.Name);
        }

        return names;
    }

    // Errors whose message alone tells the user what to fix; anything else is a bug and keeps its stack trace.
    private static int? ExitCodeFor(Exception e) => e switch
    {
        InvalidOptionException => UsageExitCode,
        MaterialsDbException => ErrorExitCode,
        // The environment, not our code: a missing or unwritable file, a full disk, a database that is down.
        IOException or UnauthorizedAccessException or Npgsql.NpgsqlException => ErrorExitCode,
        _ => null,
    };

    private static string OneLine(Exception e) => e.Message.ReplaceLineEndings(" ");
}
