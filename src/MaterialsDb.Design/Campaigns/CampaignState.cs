using System.Text.Json;
using System.Text.Json.Serialization;

namespace MaterialsDb.Design.Campaigns;

/// <summary>
/// Everything a campaign knows, in one JSON document (<c>state.json</c>) replaced atomically after each step: the
/// observations, every round's proposals with their predictions, and which results were reported. A crash between
/// steps leaves the previous state whole, and a repeated step recomputes the same batch (rounds are seeded).
/// </summary>
public sealed class CampaignState
{
    /// <summary>The document's format version.</summary>
    public const int CurrentFormat = 1;

    /// <summary>Format version.</summary>
    public int Format { get; set; } = CurrentFormat;

    /// <summary>The campaign's name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>SHA-256 of the spec text the campaign was started with.</summary>
    public string SpecSha256 { get; set; } = string.Empty;

    /// <summary>Where relative paths of the spec (candidate lists) start.</summary>
    public string SpecDirectory { get; set; } = string.Empty;

    /// <summary>The modelled properties, in column order.</summary>
    public List<string> Properties { get; set; } = [];

    /// <summary>When the campaign started.</summary>
    public DateTimeOffset Created { get; set; }

    /// <summary>The shared database's version the initial observations were read at (a database source only).</summary>
    public long? DatabaseVersion { get; set; }

    /// <summary>Every observation, initial and reported.</summary>
    public List<ObservationRecord> Observations { get; set; } = [];

    /// <summary>Every round, first to last.</summary>
    public List<RoundRecord> Rounds { get; set; } = [];

    /// <summary>SHA-256 of every reported file, so the same file is not added twice.</summary>
    public List<string> ReportedFiles { get; set; } = [];

    /// <summary>Reported results contributed to the shared materials database, one record per contribution.</summary>
    public List<ContributionRecord> Contributions { get; set; } = [];

    /// <summary>JSON settings of the document: snake_case, NaN written as a named value.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
    };
}

/// <summary>One observation.</summary>
public sealed class ObservationRecord
{
    /// <summary>The formula as given.</summary>
    public string Formula { get; set; } = string.Empty;

    /// <summary>A value per property (null: not measured).</summary>
    public Dictionary<string, double?> Values { get; set; } = [];

    /// <summary>0 for the initial data, else the round whose proposal it answers (or the latest round for other results).</summary>
    public int Round { get; set; }

    /// <summary><c>initial</c> or <c>reported</c>.</summary>
    public string Source { get; set; } = "initial";

    /// <summary>When it was added.</summary>
    public DateTimeOffset Added { get; set; }
}

/// <summary>One round.</summary>
public sealed class RoundRecord
{
    /// <summary>1 for the first.</summary>
    public int Round { get; set; }

    /// <summary>When it was proposed.</summary>
    public DateTimeOffset Created { get; set; }

    /// <summary>Observations the surrogates were fitted on.</summary>
    public int ObservationsUsed { get; set; }

    /// <summary>σ scale per property.</summary>
    public Dictionary<string, double> Calibration { get; set; } = [];

    /// <summary>Candidates scored.</summary>
    public long Scored { get; set; }

    /// <summary>Of those, feasible and new.</summary>
    public long Feasible { get; set; }

    /// <summary>Seconds fitting and scoring.</summary>
    public double Seconds { get; set; }

    /// <summary>The batch, best first.</summary>
    public List<ProposalRecord> Proposals { get; set; } = [];

    /// <summary>The batch files, relative to the campaign folder.</summary>
    public List<string> Files { get; set; } = [];
}

/// <summary>One proposal and what became of it.</summary>
public sealed class ProposalRecord
{
    /// <summary>Position in the batch (1 first).</summary>
    public int Rank { get; set; }

    /// <summary>The composition.</summary>
    public string Formula { get; set; } = string.Empty;

    /// <summary>Its composition key.</summary>
    public ulong Key { get; set; }

    /// <summary>Mean per property.</summary>
    public Dictionary<string, double> Mean { get; set; } = [];

    /// <summary>Calibrated σ per property.</summary>
    public Dictionary<string, double> Std { get; set; } = [];

    /// <summary>The acquisition value.</summary>
    public double Acquisition { get; set; }

    /// <summary>P(every property constraint holds).</summary>
    public double ConstraintProbability { get; set; }

    /// <summary>Why it was chosen.</summary>
    public string Reason { get; set; } = string.Empty;

    /// <summary>The result reported for it, per property (null until reported).</summary>
    public Dictionary<string, double?>? Reported { get; set; }
}

/// <summary>Reported results contributed to the shared materials database.</summary>
public sealed class ContributionRecord
{
    /// <summary>The observations contributed (indexes into <see cref="CampaignState.Observations"/>).</summary>
    public List<int> Observations { get; set; } = [];

    /// <summary>The entries made, one per observation, in the same order.</summary>
    public List<string> Ids { get; set; } = [];

    /// <summary>The database version the contribution made.</summary>
    public long DatabaseVersion { get; set; }

    /// <summary>The energy scheme the entries were filed under.</summary>
    public string Scheme { get; set; } = string.Empty;

    /// <summary>When it was recorded.</summary>
    public DateTimeOffset Created { get; set; }
}
