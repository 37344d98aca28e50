namespace MaterialsDb.Data.Downloads;

/// <summary>Settings of a <see cref="DatasetStore"/>.</summary>
public sealed record DatasetStoreOptions
{
    /// <summary>Environment variable naming the cache folder.</summary>
    public const string HomeVariable = "MATERIALSDB_HOME";

    /// <summary>Environment variable naming the mirror (a folder, <c>file://</c> or <c>http(s)://</c> base).</summary>
    public const string MirrorVariable = "MATERIALSDB_MIRROR";

    /// <summary>Cache folder; datasets go to <c>&lt;Home&gt;/datasets/&lt;id&gt;/</c>.</summary>
    public required string Home { get; init; }

    /// <summary>Mirror replacing the <c>https://</c> prefix of every URL, or null for the URLs themselves.</summary>
    public string? Mirror { get; init; }

    /// <summary>Attempts per file before giving up on transient failures (connection errors, 5xx, truncated or corrupted transfers).</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Wait before the second attempt; doubles after each further failure.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait for another process that is fetching the same file.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Options from <c>MATERIALSDB_HOME</c> (default <c>~/.materialsdb</c>) and <c>MATERIALSDB_MIRROR</c>.</summary>
    public static DatasetStoreOptions FromEnvironment()
    {
        var home = Environment.GetEnvironmentVariable(HomeVariable);
        if (string.IsNullOrWhiteSpace(home))
        {
            home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".materialsdb");
        }

        var mirror = Environment.GetEnvironmentVariable(MirrorVariable);
        return new DatasetStoreOptions { Home = Path.GetFullPath(home), Mirror = string.IsNullOrWhiteSpace(mirror) ? null : mirror };
    }
}
