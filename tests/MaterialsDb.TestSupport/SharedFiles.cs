using MaterialsDb.Data.Downloads;

using Xunit;

namespace MaterialsDb.TestSupport;

/// <summary>
/// Locates <c>../shared</c> (the peers' reference results and the dataset mirror) beside the repository.
/// Tests that need it skip when it is absent, except in CI (<c>CI=true</c>), where its absence is a failure.
/// </summary>
public static class SharedFiles
{
    private static readonly Lazy<string?> SharedRoot = new(FindShared);
    private static readonly Lazy<string> CacheHome = new(() =>
    {
        var home = Path.Combine(Path.GetTempPath(), $"materialsdb-tests-{Environment.ProcessId}");
        Directory.CreateDirectory(home);
        return home;
    });

    /// <summary>The repository root (the folder holding MaterialsDb.sln).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>True when running under CI.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Path of a file under <c>shared/reference</c>; skips the test (or fails it in CI) when absent.</summary>
    public static string Reference(string name) => Require(Path.Combine("reference", name));

    /// <summary>The dataset mirror folder: <c>MATERIALSDB_MIRROR</c> when set, else <c>shared/datasets</c>.</summary>
    public static string Mirror()
    {
        var mirror = Environment.GetEnvironmentVariable(DatasetStoreOptions.MirrorVariable);
        return !string.IsNullOrWhiteSpace(mirror) && Directory.Exists(mirror) ? mirror : Require("datasets");
    }

    /// <summary>A store reading from the mirror into a cache folder shared by this test process.</summary>
    public static DatasetStore MirrorStore() => new(new DatasetStoreOptions { Home = CacheHome.Value, Mirror = Mirror() });

    private static string Require(string relative)
    {
        var root = SharedRoot.Value;
        var path = root is null ? null : Path.Combine(root, relative);
        if (path is not null && (File.Exists(path) || Directory.Exists(path)))
        {
            return path;
        }

        var message = $"shared/{relative} is not available beside the repository ({RepositoryRoot}/../shared).";
        if (InCi)
        {
            throw new InvalidOperationException(message + " CI must provide it.");
        }

        Assert.Skip(message);
        return null!;
    }

    private static string? FindShared()
    {
        var overridden = Environment.GetEnvironmentVariable("MATERIALSDB_SHARED");
        if (!string.IsNullOrWhiteSpace(overridden))
        {
            return overridden;
        }

        var candidate = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));
        return Directory.Exists(candidate) ? candidate : null;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MaterialsDb.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"MaterialsDb.sln not found above {AppContext.BaseDirectory}.");
    }
}
