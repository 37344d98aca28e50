namespace MaterialsDb.Training;

/// <summary>One published Matbench v0.1 result, to print beside ours.</summary>
public sealed record PublishedResult(string Method, double Mae);

/// <summary>Published Matbench v0.1 MAEs (matbench.materialsproject.org leaderboard) for the shipped models' datasets.</summary>
public static class PublishedResults
{
    private static readonly Dictionary<string, PublishedResult[]> ByDataset = new(StringComparer.Ordinal)
    {
        ["mp_e_form"] = [new("CrabNet", 0.0862), new("Finder (composition)", 0.0839)],
        ["mp_gap"] = [new("CrabNet", 0.2655)],
        ["expt_gap"] = [new("RF-SCM/Magpie", 0.4461), new("CrabNet", 0.3463), new("MODNet", 0.3327), new("Darwin", 0.2865)],
        ["steels_yield"] = [new("RF-SCM/Magpie", 103.5), new("MODNet", 87.8), new("TPOT-Mat", 79.9)],
    };

    /// <summary>The results for a catalog dataset id; empty when we list none.</summary>
    public static IReadOnlyList<PublishedResult> For(string? datasetId) =>
        datasetId is not null && ByDataset.TryGetValue(datasetId, out var r) ? r : [];
}
