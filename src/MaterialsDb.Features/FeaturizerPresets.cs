namespace MaterialsDb.Features;

/// <summary>
/// A named featurizer: what it computes, which element source and properties it reads, and how to build it from that
/// source. Help texts, option validation and model manifests all read these, so a new preset is one entry here.
/// </summary>
/// <param name="Name">Preset id (<c>magpie</c>), as manifests and specs name it.</param>
/// <param name="Description">One line for help texts.</param>
/// <param name="ElementSource">Name of the element-property source it reads (<c>MagpieData</c>: the catalog's Magpie tables).</param>
/// <param name="Properties">The element properties it reads from that source.</param>
/// <param name="Build">Builds the featurizer from the source.</param>
public sealed record FeaturizerPreset(string Name, string Description, string ElementSource, IReadOnlyList<string> Properties, Func<ElementPropertySource, ICompositionFeaturizer> Build);

/// <summary>The registry of featurizer presets.</summary>
public static class FeaturizerPresets
{
    /// <summary>Every preset, in the order help texts list them.</summary>
    public static IReadOnlyList<FeaturizerPreset> All { get; } =
    [
        new("magpie", "132 features: matminer's ElementProperty.from_preset(\"magpie\") (22 Magpie properties x 6 statistics)", "MagpieData",
            ElementPropertyFeaturizer.MagpieProperties, ElementPropertyFeaturizer.Magpie),
        new("ward2016", "146 features: magpie, then matminer's Stoichiometry() and ValenceOrbital() (Ward et al. 2016)", "MagpieData",
            ElementPropertyFeaturizer.MagpieProperties,
            source => new CompositeFeaturizer("ward2016", ElementPropertyFeaturizer.Magpie(source), new StoichiometryFeaturizer(), new ValenceOrbitalFeaturizer(source))),
        new("ward2016-fractions", "249 features: ward2016, then matminer's ElementFraction() (atomic fraction of H ... Lr)", "MagpieData",
            ElementPropertyFeaturizer.MagpieProperties,
            source => new CompositeFeaturizer("ward2016-fractions", ElementPropertyFeaturizer.Magpie(source), new StoichiometryFeaturizer(), new ValenceOrbitalFeaturizer(source), new ElementFractionFeaturizer())),
        new("magpie-fractions", "235 features: magpie, then matminer's ElementFraction() (atomic fraction of H ... Lr): for alloys, whose elements are the same and whose fractions decide", "MagpieData",
            ElementPropertyFeaturizer.MagpieProperties,
            source => new CompositeFeaturizer("magpie-fractions", ElementPropertyFeaturizer.Magpie(source), new ElementFractionFeaturizer())),
        new("fractions", "103 features: matminer's ElementFraction() alone (atomic fraction of H ... Lr)", "MagpieData",
            [], _ => new CompositeFeaturizer("fractions", new ElementFractionFeaturizer())),
    ];

    /// <summary>The preset names.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(p => p.Name)];

    /// <summary>Every Magpie element property some preset reads (what the Magpie source must load).</summary>
    public static IReadOnlyList<string> RequiredProperties { get; } = [.. All.Where(p => p.ElementSource == "MagpieData").SelectMany(p => p.Properties).Distinct()];

    /// <summary>One line per preset, for help texts.</summary>
    public static string Help => string.Join("; ", All.Select(p => $"{p.Name} ({p.Description})"));

    /// <summary>The preset named <paramref name="name"/>.</summary>
    /// <exception cref="MaterialsDbException">Unknown preset; the message lists the known ones.</exception>
    public static FeaturizerPreset Get(string name) =>
        All.FirstOrDefault(p => p.Name == name) ?? throw new MaterialsDbException($"Unknown featurizer preset '{name}'. Known presets: {string.Join(", ", Names)}.");

    /// <summary>Builds a preset from its element source.</summary>
    /// <exception cref="MaterialsDbException">Unknown preset, or a source other than the one it reads.</exception>
    public static ICompositionFeaturizer Create(string preset, ElementPropertySource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var p = Get(preset);
        return source.Name == p.ElementSource
            ? p.Build(source)
            : throw new MaterialsDbException($"Preset '{preset}' reads {p.ElementSource}, not {source.Name}.");
    }
}
