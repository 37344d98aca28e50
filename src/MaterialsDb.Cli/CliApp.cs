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
            ResultsCommand.Create(context),
        };
        foreach (var command in ServiceCommands.Create(context))
        {
            root.Subcommands.Add(command);
        }

        // Ctrl-C cancels the command's token; long commands get 10 s to stop cleanly before the process is ended.
        var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(10) };
        try
        {
            return await root.Parse(args).InvokeAsync(config, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUserFacing(e))
        {
            await error.WriteLineAsync($"materialsdb: error: {OneLine(e)}").ConfigureAwait(false);
            return ErrorExitCode;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync("materialsdb: cancelled").ConfigureAwait(false);
            return 130;
        }
    }

    // ArgumentException appends "(Parameter 'x')", which names our code, not the user's input.
    private static string OneLine(Exception e) =>
        (e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : e.Message)
        .ReplaceLineEndings(" ");

    // Errors whose message alone tells the user what to fix; anything else is a bug and keeps its stack trace.
    private static bool IsUserFacing(Exception e) =>
        e is IOException or InvalidDataException or Npgsql.NpgsqlException or KeyNotFoundException or ArgumentException or FormatException or UnauthorizedAccessException;
}
