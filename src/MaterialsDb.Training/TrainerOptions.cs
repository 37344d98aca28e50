namespace MaterialsDb.Training;

/// <summary>Settings of one member trainer (<see cref="LightGbmOptions"/> or <see cref="MlpOptions"/>); the same settings and data give the same model.</summary>
public abstract record TrainerOptions
{
    /// <summary>Random seed.</summary>
    public int Seed { get; init; } = 18012019;

    /// <summary>As a name → value map for the manifest.</summary>
    public abstract IReadOnlyDictionary<string, string> ToDictionary();
}
