namespace MaterialsDb.Features;

/// <summary>A statistic of an element property over the elements of a composition, weighted by amount (matminer's PropertyStats).</summary>
public enum PropertyStatistic
{
    /// <summary>Smallest value over the elements present (unweighted).</summary>
    Minimum,

    /// <summary>Largest value over the elements present (unweighted).</summary>
    Maximum,

    /// <summary>Maximum − minimum.</summary>
    Range,

    /// <summary>Σ xᵢ vᵢ with atomic fractions xᵢ.</summary>
    Mean,

    /// <summary>Σ xᵢ |vᵢ − mean|: the fraction-weighted mean absolute deviation.</summary>
    AvgDev,

    /// <summary>
    /// The value of the most abundant element; when several amounts tie (numpy's <c>isclose</c>: within
    /// 1e-8 + 1e-5 × the largest amount), the smallest of their values, as matminer does.
    /// </summary>
    Mode,
}

/// <summary>matminer's names for the statistics, used in feature labels.</summary>
public static class PropertyStatisticNames
{
    /// <summary>The label word: <c>minimum</c>, <c>maximum</c>, <c>range</c>, <c>mean</c>, <c>avg_dev</c>, <c>mode</c>.</summary>
    public static string Label(this PropertyStatistic statistic) => statistic switch
    {
        PropertyStatistic.Minimum => "minimum",
        PropertyStatistic.Maximum => "maximum",
        PropertyStatistic.Range => "range",
        PropertyStatistic.Mean => "mean",
        PropertyStatistic.AvgDev => "avg_dev",
        PropertyStatistic.Mode => "mode",
        _ => throw new ArgumentOutOfRangeException(nameof(statistic), statistic, null),
    };
}
