using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MaterialsDb.Features.Internal;

namespace MaterialsDb.Features;

/// <summary>
/// Statistics of element properties over a composition (matminer's <c>ElementProperty</c>): for each property, in the
/// order given, each statistic in the order given. Labels are <c>"{source} {statistic} {property}"</c>.
/// </summary>
public sealed class ElementPropertyFeaturizer : RowFeaturizer
{
    /// <summary>The 22 Magpie properties of matminer's <c>ElementProperty.from_preset("magpie")</c>, in its order.</summary>
    public static readonly IReadOnlyList<string> MagpieProperties =
    [
        "Number", "MendeleevNumber", "AtomicWeight", "MeltingT", "Column", "Row", "CovalentRadius", "Electronegativity",
        "NsValence", "NpValence", "NdValence", "NfValence", "NValence", "NsUnfilled", "NpUnfilled", "NdUnfilled",
        "NfUnfilled", "NUnfilled", "GSvolume_pa", "GSbandgap", "GSmagmom", "SpaceGroupNumber",
    ];

    /// <summary>The six statistics of the magpie preset, in matminer's order.</summary>
    public static readonly IReadOnlyList<PropertyStatistic> MagpieStatistics =
    [
        PropertyStatistic.Minimum, PropertyStatistic.Maximum, PropertyStatistic.Range,
        PropertyStatistic.Mean, PropertyStatistic.AvgDev, PropertyStatistic.Mode,
    ];

    private readonly ElementStatisticsKernel _kernel;
    private readonly int[] _statisticOffset;

    /// <summary>Creates a featurizer over <paramref name="properties"/> × <paramref name="statistics"/>.</summary>
    public ElementPropertyFeaturizer(string id, ElementPropertySource source, IReadOnlyList<string> properties, IReadOnlyList<PropertyStatistic> statistics)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(properties);
        ArgumentNullException.ThrowIfNull(statistics);
        if (properties.Count == 0 || statistics.Count == 0)
        {
            throw new ArgumentException("An element-property featurizer needs at least one property and one statistic.");
        }

        Id = id;
        Properties = properties;
        Statistics = statistics;
        _kernel = new ElementStatisticsKernel(source, properties);
        _statisticOffset = [.. statistics.Select(s => (int)s * _kernel.Stride)];
        FeatureLabels = [.. properties.SelectMany(p => statistics.Select(s => $"{source.Name} {s.Label()} {p}"))];
        Citations = [source.Citation];
    }

    /// <inheritdoc />
    public override string Id { get; }

    /// <summary>Element properties, in output order.</summary>
    public IReadOnlyList<string> Properties { get; }

    /// <summary>Statistics per property, in output order.</summary>
    public IReadOnlyList<PropertyStatistic> Statistics { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> FeatureLabels { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> Citations { get; }

    /// <summary>When false the scalar twin is used; for tests and benchmarks.</summary>
    public bool UseSimd { get; init; } = true;

    /// <summary>matminer's <c>ElementProperty.from_preset("magpie")</c>: 22 properties × 6 statistics = 132 features.</summary>
    public static ElementPropertyFeaturizer Magpie(ElementPropertySource source) =>
        new("magpie", source, MagpieProperties, MagpieStatistics);

    // Scratch is statistic-major; the output is property-major (all statistics of a property together). This narrowing
    // transpose is a third of the row's cost, so it runs without bounds checks; the caller sized both buffers.
    private void Transpose(double[] scratch, Span<float> row, int statistics)
    {
        ref var source = ref MemoryMarshal.GetArrayDataReference(scratch);
        ref var target = ref MemoryMarshal.GetReference(row);
        ref var statisticOffset = ref MemoryMarshal.GetArrayDataReference(_statisticOffset);
        for (var p = 0; p < _kernel.PropertyCount; p++)
        {
            ref var cell = ref Unsafe.Add(ref target, p * statistics);
            for (var s = 0; s < statistics; s++)
            {
                Unsafe.Add(ref cell, s) = (float)Unsafe.Add(ref source, Unsafe.Add(ref statisticOffset, s) + p);
            }
        }
    }

    /// <inheritdoc />
    protected override double[] CreateScratch() => new double[_kernel.ScratchLength];

    /// <inheritdoc />
    protected override void FeaturizeRow(ReadOnlySpan<byte> atomicNumbers, ReadOnlySpan<double> fractions, ReadOnlySpan<double> amounts, Span<float> row, double[] scratch)
    {
        _kernel.Compute(atomicNumbers, fractions, amounts, scratch, UseSimd);
        Transpose(scratch, row, _statisticOffset.Length);
    }
}
