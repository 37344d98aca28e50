using System.Diagnostics;
using Npgsql;

namespace MaterialsDb.LoadTest;

/// <summary>What the cluster runs share: a fresh PostgreSQL database for one run, and worker processes of the CLI.</summary>
internal static class ScratchCluster
{
    /// <summary>
    /// Runs <paramref name="body"/> on a new database named after <paramref name="prefix"/>; the worker processes it
    /// adds to the list are killed and the database dropped afterwards, whatever happens.
    /// </summary>
    public static async Task<int> RunAsync(string postgres, string prefix, Func<string, List<Process>, Task<int>> body)
    {
        var name = prefix + "_" + Guid.NewGuid().ToString("N")[..8];
        await using (var admin = NpgsqlDataSource.Create(postgres))
        await using (var create = admin.CreateCommand($"CREATE DATABASE {name}"))
        {
            await create.ExecuteNonQueryAsync();
        }

        var workers = new List<Process>();
        try
        {
            return await body(new NpgsqlConnectionStringBuilder(postgres) { Database = name }.ConnectionString, workers);
        }
        finally
        {
            foreach (var w in workers.Where(w => !w.HasExited))
            {
                w.Kill(entireProcessTree: true);
            }

            NpgsqlConnection.ClearAllPools();
            await using var admin = NpgsqlDataSource.Create(postgres);
            await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <summary>A <c>materialsdb worker</c> process with one Hangfire worker; its output is read and dropped.</summary>
    public static Process StartWorker(string postgres, string results, params string[] extra)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "materialsdb.dll");
        var w = Process.Start(new ProcessStartInfo("dotnet", [cli, "worker", "--postgres", postgres, "--workers", "1", "--results", results, .. extra])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        w.OutputDataReceived += (_, _) => { };
        w.ErrorDataReceived += (_, _) => { };
        w.BeginOutputReadLine();
        w.BeginErrorReadLine();
        return w;
    }
}
