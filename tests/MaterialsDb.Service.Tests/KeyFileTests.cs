using System.Diagnostics;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Store;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Service.Tests;

/// <summary>The embedded mode's key file survives a crash in the middle of a write, and a key can always be revoked.</summary>
public sealed class KeyFileTests
{
    [Fact]
    public async Task ATornLastLineIsSkippedAndReportedAndLaterKeysLoad()
    {
        using var dir = new TempDirectory();
        var file = new KeyFile(dir.File("keys.jsonl"));
        var store = new MemoryStore(file);
        var (first, firstKey) = await ApiKeys.CreateAsync(store, "acme", Role.Member, TestContext.Current.CancellationToken);

        // A crash or a full disk during an append (as older versions wrote the file) leaves half a record.
        await File.AppendAllTextAsync(file.Path, "{\"Id\":\"6a3c1f", TestContext.Current.CancellationToken);
        var (records, problems) = file.ReadWithProblems();
        Assert.Single(records);
        Assert.Contains("line 2", Assert.Single(problems), StringComparison.Ordinal);

        // Later keys are written whole and load; revoking works.
        var fresh = new MemoryStore(file);
        var (_, secondKey) = await ApiKeys.CreateAsync(fresh, "acme", Role.Operator, TestContext.Current.CancellationToken);
        var reader = new MemoryStore(file);
        Assert.NotNull(await reader.FindKeyAsync(ApiKeys.Hash(firstKey), TestContext.Current.CancellationToken));
        Assert.NotNull(await reader.FindKeyAsync(ApiKeys.Hash(secondKey), TestContext.Current.CancellationToken));
        Assert.True(await reader.RevokeKeyAsync(first.Id.ToString()[..8], TestContext.Current.CancellationToken));
        Assert.Null(await new MemoryStore(file).FindKeyAsync(ApiKeys.Hash(firstKey), TestContext.Current.CancellationToken));
        Assert.Empty(file.ReadWithProblems().Problems);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public async Task TheKeysCommandsWorkDespiteATornFile()
    {
        using var home = new TempDirectory();
        var (exit, output) = await RunAsync(home, "keys", "create", "--tenant", "acme");
        Assert.Equal(0, exit);
        var keysFile = Path.Combine(home.Path, "service", "keys.jsonl");
        await File.AppendAllTextAsync(keysFile, "{\"Id\":\"00000000-", TestContext.Current.CancellationToken);

        (exit, output) = await RunAsync(home, "keys", "list");
        Assert.Equal(0, exit);
        Assert.Contains("warning", output, StringComparison.Ordinal);
        Assert.Contains("acme", output, StringComparison.Ordinal);
        var id = output.Split('\n').First(l => l.Contains("\tacme\t", StringComparison.Ordinal)).Split('\t')[0];
        (exit, output) = await RunAsync(home, "keys", "revoke", id[..8]);
        Assert.True(exit == 0, output);
        (_, output) = await RunAsync(home, "keys", "list");
        Assert.Contains("revoked", output, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output)> RunAsync(TempDirectory home, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "materialsdb.dll"), .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["MATERIALSDB_HOME"] = home.Path;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }
}
