namespace MaterialsDb.Training;

/// <summary>Settings of one member trainer (<see cref="LightGbmOptions"/> or <see cref="MlpOptions"/>); the same settings and data give the same model.</summary>
public abstract record TrainerOptions
{
    /// <summary>Random seed.</summary>
    public int Seed { get; init; } = 18012019;

    /// <summary>The member trainer these settings are for (a name of <see cref="MemberTrainers.All"/>).</summary>
    public abstract string Trainer { get; }

    /// <summary>As a name → value map for the manifest.</summary>
    public abstract IReadOnlyDictionary<string, string> ToDictionary();

    /// <summary>Checks every setting; the message names the bad one as the command line spells it.</summary>
    /// <exception cref="InvalidOptionException">A setting is out of range.</exception>
    public abstract void Validate();

    /// <summary>The settings as <c>materialsdb models train</c> options (for the manifest's reproducing command).</summary>
    public abstract string CommandLine();
}
