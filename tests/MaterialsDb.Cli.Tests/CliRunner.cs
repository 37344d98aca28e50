using MaterialsDb.Data.Downloads;

namespace MaterialsDb.Cli.Tests;

/// <summary>Runs the real command tree in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public static async Task<(int Exit, string Output, string Error)> RunAsync(DatasetStore? store, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CliApp.RunAsync(args, output, error, store, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }
}
