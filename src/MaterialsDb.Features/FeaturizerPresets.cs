namespace MaterialsDb.Features;

/// <summary>Named featurizer presets.</summary>
public static class FeaturizerPresets
{
    /// <summary>
    /// The preset names: <c>magpie</c> (132 features), <c>ward2016</c> (magpie + stoichiometry + valence orbitals, 146)
    /// and <c>ward2016-fractions</c> (ward2016 + the 103 element fractions, 249).
    /// </summary>
    public static IReadOnlyList<string> Names { get; } = ["magpie", "ward2016", "ward2016-fractions"];

    /// <summary>The Magpie element properties a preset reads.</summary>
    public static IReadOnlyList<string> RequiredProperties { get; } =
        [.. ElementPropertyFeaturizer.MagpieProperties];

    /// <summary>Builds a preset from a Magpie element source.</summary>
    /// <exception cref="MaterialsDbException">Unknown preset; the message lists the known ones.</exception>
    public static ICompositionFeaturizer Create(string preset, ElementPropertySource magpie) => preset switch
    {
        "magpie" => ElementPropertyFeaturizer.Magpie(magpie),
        "ward2016" => new CompositeFeaturizer("ward2016", ElementPropertyFeaturizer.Magpie(magpie), new StoichiometryFeaturizer(), new ValenceOrbitalFeaturizer(magpie)),
        "ward2016-fractions" => new CompositeFeaturizer("ward2016-fractions", ElementPropertyFeaturizer.Magpie(magpie), new StoichiometryFeaturizer(), new ValenceOrbitalFeaturizer(magpie), new ElementFractionFeaturizer()),
        _ => throw new MaterialsDbException($"Unknown featurizer preset '{preset}'. Known presets: {string.Join(", ", Names)}."),
    };
}
