using MaterialsDb.Screening.Spec;

namespace MaterialsDb.Design.Spec;

/// <summary>What an objective asks of its property.</summary>
public enum Goal
{
    /// <summary>As high as possible.</summary>
    Max,

    /// <summary>As low as possible.</summary>
    Min,

    /// <summary>Inside [low, high].</summary>
    Window,
}

/// <summary>One objective: a property of the observations and what to do with it.</summary>
/// <param name="Property">The property (a column of the observations and of reported results).</param>
/// <param name="Goal">Maximise, minimise or reach a window.</param>
/// <param name="Low">With <see cref="Goal.Window"/>: the window's lower end.</param>
/// <param name="High">With <see cref="Goal.Window"/>: the window's upper end.</param>
/// <param name="Units">Units, for output only.</param>
public sealed record Objective(string Property, Goal Goal, double Low = double.NaN, double High = double.NaN, string? Units = null)
{
    /// <summary>How far a value is from the window (0 inside); for max/min goals not used.</summary>
    public double WindowDistance(double value) => value < Low ? Low - value : value > High ? value - High : 0;

    /// <summary>The value in the frame where larger is better (window: minus the distance to it).</summary>
    public double Utility(double value) => Goal switch
    {
        Goal.Max => value,
        Goal.Min => -value,
        _ => -WindowDistance(value),
    };

    /// <summary>How the goal reads in text: <c>max</c>, <c>min</c>, <c>window 1.1..1.5</c>.</summary>
    public string GoalText => Goal switch
    {
        Goal.Max => "max",
        Goal.Min => "min",
        _ => FormattableString.Invariant($"window {Low}..{High}"),
    };
}

/// <summary>A hard constraint on a modelled property: P(min ≤ value ≤ max) ≥ <paramref name="Probability"/> under the surrogate.</summary>
public sealed record PropertyConstraint(string Property, double? Min, double? Max, double Probability);

/// <summary>One element's allowed fraction in a continuous space (fractions of one, whatever the spec's unit).</summary>
public sealed record ElementRange(int Z, double Min, double Max);

/// <summary>
/// <c>space.continuous</c>: fractions of each element between bounds, the balance element taking the rest, on a grid of
/// <see cref="Step"/>, with at most <see cref="MaxElements"/> elements present.
/// </summary>
/// <param name="WeightBasis">Bounds and step are weight (mass) fractions; otherwise atomic fractions.</param>
/// <param name="Balance">The element that makes the fractions sum to one.</param>
/// <param name="BalanceRange">The balance element's own allowed range.</param>
/// <param name="Elements">The other elements and their ranges.</param>
/// <param name="Step">The grid of every non-balance fraction.</param>
/// <param name="MaxElements">Most elements present (the balance included).</param>
/// <param name="Percent">The spec wrote percentages (output uses the same unit).</param>
public sealed record ContinuousSpace(bool WeightBasis, int Balance, ElementRange BalanceRange, IReadOnlyList<ElementRange> Elements, double Step, int MaxElements, bool Percent);

/// <summary>Where a campaign's first observations come from.</summary>
/// <param name="Csv">A CSV file (a local path for the CLI; the uploaded file's name for the service).</param>
/// <param name="Dataset">A catalog dataset id.</param>
/// <param name="FormulaColumn">The formula column (default: the dataset's, else <c>formula</c>).</param>
/// <param name="Columns">Property → column of the data (default: the property's own name; a dataset's target for one objective).</param>
/// <param name="Sample">Take only this many rows, drawn with the campaign's seed (for a start from little data).</param>
/// <param name="Database">A query of the shared materials database, in the view of the campaign's tenant.</param>
public sealed record ObservationSource(string? Csv, string? Dataset, string? FormulaColumn, IReadOnlyDictionary<string, string> Columns, int? Sample, DatabaseObservationQuery? Database = null);

/// <summary>
/// Entries of the shared materials database as a campaign's first observations: those of one scheme, optionally only
/// an exact chemical system, entries holding all of some elements, or one reduced formula; read as of a version.
/// </summary>
/// <param name="Scheme">The energy scheme (<c>experiment</c>, <c>ml</c>, <c>mp2020</c>, ...).</param>
/// <param name="Chemsys">Only entries of exactly this system (<c>Fe-Ni</c>).</param>
/// <param name="Elements">Only entries holding all of these elements (<c>Fe,Ni</c>).</param>
/// <param name="Formula">Only entries of this reduced formula.</param>
/// <param name="Version">Read the database as of this version (default: the latest the tenant sees).</param>
public sealed record DatabaseObservationQuery(string Scheme, string? Chemsys, string? Elements, string? Formula, long? Version);

/// <summary>The surrogate's model family.</summary>
public enum SurrogateModel
{
    /// <summary>A bootstrap ensemble of small LightGBM models: any number of observations, fast on large pools, no extrapolation.</summary>
    Trees,

    /// <summary>Bayesian linear regression with automatic relevance determination: extrapolates trends.</summary>
    Linear,
}

/// <summary>The surrogate: per property, a bootstrap ensemble of small LightGBM models (the default) or a Bayesian linear model.</summary>
/// <param name="Members">Bootstrap members of the tree ensemble.</param>
/// <param name="Trees">Trees per member.</param>
/// <param name="Leaves">Leaves per tree.</param>
/// <param name="LearningRate">Boosting learning rate.</param>
/// <param name="MinLeaf">Fewest observations in a leaf.</param>
/// <param name="FeatureFraction">Share of the features each tree may use.</param>
/// <param name="Featurizer">The featurizer preset of the surrogate's inputs.</param>
/// <param name="Model">Trees, or the Bayesian linear model.</param>
/// <param name="Focus">
/// An objective's observation of rank r among n (1 the worst by the goal, n the best) counts with weight (r / n)^Focus
/// in the fit (the linear model's likelihood, the trees' loss), so the surrogate is fitted where the goal lies; 0
/// weighs every observation alike.
/// </param>
public sealed record SurrogateSpec(int Members = 8, int Trees = 50, int Leaves = 8, double LearningRate = 0.15, int MinLeaf = 2, double FeatureFraction = 0.7, string Featurizer = "magpie", SurrogateModel Model = SurrogateModel.Trees, double Focus = 0)
{
    /// <summary>The largest <see cref="Focus"/> accepted.</summary>
    public const double MaxFocus = 8;
}

/// <summary>Acquisition functions.</summary>
public enum AcquisitionKind
{
    /// <summary>Expected improvement over the best observation (window goals: probability of landing in the window).</summary>
    Ei,

    /// <summary>Upper confidence bound: mean + κσ in the goal's direction.</summary>
    Ucb,

    /// <summary>Probability of improving on the best observation (window goals: of landing in the window).</summary>
    Pi,

    /// <summary>Pure exploration: the largest σ.</summary>
    Explore,

    /// <summary>The best predicted mean.</summary>
    Greedy,

    /// <summary>Uniformly at random (the baseline).</summary>
    Random,

    /// <summary>Expected hypervolume improvement over the observed Pareto front (two objectives).</summary>
    Ehvi,
}

/// <summary><c>acquisition</c>: the function, its parameter, and the batch.</summary>
/// <param name="Function">What scores a candidate.</param>
/// <param name="Kappa">UCB's κ.</param>
/// <param name="Batch">Proposals per round (q).</param>
/// <param name="MinDistance">Smallest composition distance between two proposals of a batch (half the L1 distance of atomic fractions, 0–1).</param>
public sealed record AcquisitionSpec(AcquisitionKind Function, double Kappa, int Batch, double MinDistance)
{
    /// <summary>Names as the spec and the command line write them.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Enum.GetNames<AcquisitionKind>().Select(n => n.ToLowerInvariant())];
}

/// <summary>
/// A validated design campaign. Exactly one of <see cref="Discrete"/> (a screening's candidate space, constraints and
/// models: the survivors are the pool) and <see cref="Continuous"/> is set.
/// </summary>
public sealed record CampaignSpec(
    string Name,
    int Seed,
    ScreeningSpec? Discrete,
    ContinuousSpace? Continuous,
    IReadOnlyList<Objective> Objectives,
    IReadOnlyList<PropertyConstraint> Constraints,
    Bound? HhiProduction,
    Bound? HhiReserve,
    ObservationSource? Observations,
    SurrogateSpec Surrogate,
    AcquisitionSpec Acquisition,
    int MaxPool)
{
    /// <summary>Default and largest pool of a discrete space (the screening's best survivors by its rank).</summary>
    public const int DefaultMaxPool = ScreeningSpec.MaxTop;

    /// <summary>The properties a surrogate is fitted for: the objectives', then the constraints'.</summary>
    public IReadOnlyList<string> Properties => [.. Objectives.Select(o => o.Property).Concat(Constraints.Select(c => c.Property)).Distinct(StringComparer.Ordinal)];
}
