using System.Globalization;
using System.Text.RegularExpressions;
using MaterialsDb.Chemistry;
using MaterialsDb.Features;
using MaterialsDb.Screening.Spec;
using YamlDotNet.RepresentationModel;

namespace MaterialsDb.Design.Spec;

/// <summary>
/// Reads a campaign spec (YAML or JSON) and validates it, collecting every problem with the path of its field. A
/// discrete space is a screening spec's candidate sections, validated by the screening parser itself, so the two cannot
/// disagree on what a space is.
/// </summary>
public static partial class CampaignSpecParser
{
    /// <summary>Most objectives (expected hypervolume improvement is defined for two).</summary>
    public const int MaxObjectives = 2;

    /// <summary>Largest batch per round.</summary>
    public const int MaxBatch = 1000;

    /// <summary>Most ensemble members per surrogate.</summary>
    public const int MaxMembers = 64;

    private static readonly string[] TopLevel = ["name", "seed", "space", "objectives", "constraints", "observations", "surrogate", "acquisition"];
    private static readonly string[] SpaceFields = ["candidates", "exclude_elements", "predict", "stability", "constraints", "rank", "max_pool", "continuous"];
    private static readonly string[] ContinuousFields = ["basis", "unit", "balance", "elements", "step", "max_elements"];
    private static readonly string[] ObjectiveFields = ["property", "goal", "window", "units"];
    private static readonly string[] ConstraintFields = ["min", "max", "probability"];
    private static readonly string[] ObservationFields = ["csv", "dataset", "database", "formula_column", "columns", "sample"];
    private static readonly string[] DatabaseFields = ["scheme", "chemsys", "elements", "formula", "version"];
    private static readonly string[] SurrogateFields = ["model", "members", "trees", "leaves", "learning_rate", "min_leaf", "feature_fraction", "featurizer", "focus"];
    private static readonly string[] AcquisitionFields = ["function", "kappa", "batch", "min_distance"];

    /// <summary>Built-in quantities a top-level constraint may bound besides the modelled properties.</summary>
    public static IReadOnlyList<string> SupplyRiskQuantities { get; } = ["hhi_production", "hhi_reserve"];

    /// <summary>Parses and validates a campaign spec.</summary>
    /// <param name="text">YAML or JSON.</param>
    /// <param name="origin">As for screening specs: a service spec names only ids and uploaded files.</param>
    /// <param name="uploads">File names uploaded with the spec (service only).</param>
    /// <exception cref="SpecException">Malformed YAML/JSON or invalid fields; every problem names its field.</exception>
    public static CampaignSpec Parse(string text, SpecOrigin origin = SpecOrigin.Local, IReadOnlyCollection<string>? uploads = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var root = SpecDocumentGuard.LoadMapping(text, "a campaign spec is a mapping with at least 'name', 'space' and 'objectives'");

        var p = new List<string>();
        Unknown(root, TopLevel, string.Empty, p);
        var name = Scalar(root, "name", "name", p, required: true) ?? "campaign";
        if (name.Length > SpecParser.MaxNameLength || name.Any(char.IsControl))
        {
            p.Add($"name: at most {SpecParser.MaxNameLength} printable characters");
        }

        var seed = (int)(Integer(root, "seed", "seed", p, 0, int.MaxValue) ?? 1);
        var objectives = Objectives(Child(root, "objectives"), p);
        var (constraints, hhiP, hhiR) = Constraints(Child(root, "constraints"), p);
        ScreeningSpec? discrete = null;
        ContinuousSpace? continuous = null;
        var maxPool = CampaignSpec.DefaultMaxPool;
        if (Child(root, "space") is not YamlMappingNode space)
        {
            p.Add("space: is required: a screening's 'candidates' (with its filters) or 'continuous: {...}'");
        }
        else
        {
            Unknown(space, SpaceFields, "space.", p);
            maxPool = (int)(Integer(space, "max_pool", "space.max_pool", p, 1, CampaignSpec.DefaultMaxPool) ?? CampaignSpec.DefaultMaxPool);
            var hasCandidates = Child(space, "candidates") is not null;
            var hasContinuous = Child(space, "continuous") is not null;
            if (hasCandidates == hasContinuous)
            {
                p.Add("space: needs exactly one of 'candidates' (a discrete space) and 'continuous'");
            }
            else if (hasContinuous)
            {
                foreach (var key in SpaceFields.Where(k => k is not "continuous" and not "max_pool" && Child(space, k) is not null))
                {
                    p.Add($"space.{key}: belongs to a discrete space, not a continuous one");
                }

                continuous = Continuous(Child(space, "continuous"), p);
            }
            else
            {
                discrete = Discrete(name, space, maxPool, origin, uploads, p);
            }
        }

        var observations = Observations(Child(root, "observations"), origin, uploads, p);
        var surrogate = Surrogate(Child(root, "surrogate"), p);
        var acquisition = Acquisition(Child(root, "acquisition"), continuous is not null, p);
        if (acquisition.Function == AcquisitionKind.Ehvi && objectives.Count != 2)
        {
            p.Add("acquisition.function: ehvi needs two objectives");
        }
        else if (objectives.Count == 2 && acquisition.Function is not (AcquisitionKind.Ehvi or AcquisitionKind.Random or AcquisitionKind.Explore or AcquisitionKind.Greedy))
        {
            p.Add($"acquisition.function: with two objectives use ehvi (or greedy, explore, random), not {acquisition.Function.ToString().ToLowerInvariant()}");
        }

        if (p.Count > 0)
        {
            throw new SpecException(p);
        }

        return new CampaignSpec(name, seed, discrete, continuous, objectives, constraints, hhiP, hhiR, observations, surrogate, acquisition, maxPool);
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}$")]
    private static partial Regex PropertyName();

    // The screening parser validates the discrete space: its sections are copied into a screening spec of the
    // campaign's name, and its problems are reported under 'space.'.
    private static ScreeningSpec? Discrete(string name, YamlMappingNode space, int maxPool, SpecOrigin origin, IReadOnlyCollection<string>? uploads, List<string> p)
    {
        var screening = new YamlMappingNode { { "name", name }, { "top", maxPool.ToString(CultureInfo.InvariantCulture) } };
        foreach (var key in SpaceFields.Where(k => k is not "max_pool" and not "continuous"))
        {
            if (Child(space, key) is { } node)
            {
                screening.Add(key, node);
            }
        }

        var writer = new StringWriter();
        new YamlStream(new YamlDocument(screening)).Save(writer, assignAnchors: false);
        try
        {
            return SpecParser.Parse(writer.ToString(), origin, uploads);
        }
        catch (SpecException e)
        {
            p.AddRange(e.Texts.Select(t => t.StartsWith("name", StringComparison.Ordinal) || t.StartsWith("top", StringComparison.Ordinal) ? t : "space." + t));
            return null;
        }
    }

    // An optional section: null when absent, and null with the problem named when it is not a mapping.
    private static YamlMappingNode? Section(YamlNode? node, string problem, List<string> p)
    {
        if (node is not null and not YamlMappingNode)
        {
            p.Add(problem);
        }

        return node as YamlMappingNode;
    }

    private static ContinuousSpace? Continuous(YamlNode? node, List<string> p)
    {
        if (node is not YamlMappingNode map)
        {
            p.Add("space.continuous: must be a mapping with 'balance' and 'elements'");
            return null;
        }

        Unknown(map, ContinuousFields, "space.continuous.", p);
        var basis = Scalar(map, "basis", "space.continuous.basis", p) ?? "atomic";
        if (basis is not ("atomic" or "weight"))
        {
            p.Add($"space.continuous.basis: '{basis}' must be atomic or weight");
        }

        var unit = Scalar(map, "unit", "space.continuous.unit", p) ?? "fraction";
        if (unit is not ("fraction" or "percent"))
        {
            p.Add($"space.continuous.unit: '{unit}' must be fraction or percent");
        }

        var scale = unit == "percent" ? 100.0 : 1.0;
        var balanceText = Scalar(map, "balance", "space.continuous.balance", p, required: true);
        var balance = balanceText is null ? 0 : PeriodicTable.AtomicNumberOf(balanceText);
        if (balanceText is not null && balance == 0)
        {
            p.Add($"space.continuous.balance: '{balanceText}' is not an element symbol (case-sensitive, e.g. 'Fe')");
        }

        var ranges = new List<ElementRange>();
        var balanceRange = new ElementRange(balance, 0, 1);
        if (Child(map, "elements") is not YamlMappingNode elements || elements.Children.Count == 0)
        {
            p.Add("space.continuous.elements: is required: a map from element symbol to [min, max], e.g. {Cr: [0, 20]}");
        }
        else
        {
            foreach (var (key, value) in elements.Children)
            {
                var symbol = KeyText(key);
                var path = $"space.continuous.elements.{symbol}";
                var z = PeriodicTable.AtomicNumberOf(symbol);
                if (z == 0)
                {
                    p.Add($"{path}: '{symbol}' is not an element symbol (case-sensitive, e.g. 'Fe')");
                    continue;
                }

                if (value is not YamlSequenceNode { Children.Count: 2 } pair || Number(pair.Children[0]) is not { } lo || Number(pair.Children[1]) is not { } hi || lo < 0 || hi < lo || hi > scale)
                {
                    p.Add(string.Create(CultureInfo.InvariantCulture, $"{path}: must be [min, max] with 0 ≤ min ≤ max ≤ {scale}"));
                    continue;
                }

                var range = new ElementRange(z, lo / scale, hi / scale);
                if (z == balance)
                {
                    balanceRange = range;
                }
                else
                {
                    ranges.Add(range);
                }
            }
        }

        if (ranges.Count == 0 && balance != 0)
        {
            p.Add("space.continuous.elements: name at least one element besides the balance");
        }

        if (ranges.Sum(r => r.Min) + balanceRange.Min > 1 + 1e-12 || ranges.Sum(r => r.Max) + balanceRange.Max < 1 - 1e-12)
        {
            p.Add("space.continuous.elements: no composition within these ranges sums to one");
        }

        var step = Double(map, "step", "space.continuous.step", p) ?? 0;
        if (step < 0 || step >= scale)
        {
            p.Add(string.Create(CultureInfo.InvariantCulture, $"space.continuous.step: must be ≥ 0 (0: no grid) and below {scale}"));
        }

        var maxElements = (int)(Integer(map, "max_elements", "space.continuous.max_elements", p, 1, 118) ?? ranges.Count + 1);
        var mandatory = ranges.Count(r => r.Min > 0) + 1;
        if (maxElements < mandatory)
        {
            p.Add($"space.continuous.max_elements: {mandatory} elements have a minimum above zero, so at least {mandatory} must be allowed");
        }

        return new ContinuousSpace(basis == "weight", balance, balanceRange, ranges, step / scale, maxElements, unit == "percent");
    }

    private static List<Objective> Objectives(YamlNode? node, List<string> p)
    {
        var result = new List<Objective>();
        if (node is not YamlSequenceNode seq || seq.Children.Count == 0)
        {
            p.Add("objectives: is required: a list like [{property: yield_strength, goal: max}]");
            return result;
        }

        if (seq.Children.Count > MaxObjectives)
        {
            p.Add($"objectives: at most {MaxObjectives} (a Pareto problem of two objectives)");
        }

        for (var i = 0; i < seq.Children.Count; i++)
        {
            var path = $"objectives[{i}]";
            if (seq.Children[i] is not YamlMappingNode map)
            {
                p.Add($"{path}: must be a mapping with 'property' and 'goal'");
                continue;
            }

            Unknown(map, ObjectiveFields, path + ".", p);
            var property = Property(Scalar(map, "property", path + ".property", p, required: true), path + ".property", p);
            var goalText = Scalar(map, "goal", path + ".goal", p, required: true);
            var units = Scalar(map, "units", path + ".units", p);
            Goal goal;
            switch (goalText)
            {
                case "max":
                    goal = Goal.Max;
                    break;
                case "min":
                    goal = Goal.Min;
                    break;
                case "window":
                    goal = Goal.Window;
                    break;
                case null:
                    continue;
                default:
                    p.Add($"{path}.goal: '{goalText}' must be max, min or window");
                    continue;
            }

            double lo = double.NaN, hi = double.NaN;
            if (goal == Goal.Window)
            {
                if (Child(map, "window") is not YamlSequenceNode { Children.Count: 2 } w || Number(w.Children[0]) is not { } a || Number(w.Children[1]) is not { } b || a > b)
                {
                    p.Add($"{path}.window: goal window needs window: [low, high] with low ≤ high");
                    continue;
                }

                (lo, hi) = (a, b);
            }
            else if (Child(map, "window") is not null)
            {
                p.Add($"{path}.window: only for goal: window");
            }

            if (property is not null && result.Any(o => o.Property == property))
            {
                p.Add($"{path}.property: '{property}' is already an objective");
            }
            else if (property is not null)
            {
                result.Add(new Objective(property, goal, lo, hi, units));
            }
        }

        return result;
    }

    private static (List<PropertyConstraint>, Bound?, Bound?) Constraints(YamlNode? node, List<string> p)
    {
        var result = new List<PropertyConstraint>();
        Bound? hhiP = null, hhiR = null;
        if (Section(node, "constraints: must be a map like {yield_strength: {min: 1000, probability: 0.8}, hhi_production: {max: 3000}}", p) is not { } map)
        {
            return (result, null, null);
        }

        foreach (var (key, value) in map.Children)
        {
            var name = KeyText(key);
            var path = $"constraints.{name}";
            if (value is not YamlMappingNode bound)
            {
                p.Add($"{path}: must be a mapping with min and/or max");
                continue;
            }

            Unknown(bound, ConstraintFields, path + ".", p);
            var (min, max) = (Double(bound, "min", path + ".min", p), Double(bound, "max", path + ".max", p));
            if (min is null && max is null)
            {
                p.Add($"{path}: needs min or max");
                continue;
            }

            if (min > max)
            {
                p.Add($"{path}: min is above max");
            }

            var probability = Double(bound, "probability", path + ".probability", p);
            if (SupplyRiskQuantities.Contains(name))
            {
                if (probability is not null)
                {
                    p.Add($"{path}.probability: {name} is computed exactly from the composition; it has no probability");
                }

                if (name == "hhi_production")
                {
                    hhiP = new Bound(min, max);
                }
                else
                {
                    hhiR = new Bound(min, max);
                }

                continue;
            }

            if (probability is not (> 0 and < 1) and not null)
            {
                p.Add($"{path}.probability: must be between 0 and 1 (exclusive)");
            }

            if (Property(name, path, p) is { } property)
            {
                result.Add(new PropertyConstraint(property, min, max, probability ?? 0.5));
            }
        }

        return (result, hhiP, hhiR);
    }

    private static ObservationSource? Observations(YamlNode? node, SpecOrigin origin, IReadOnlyCollection<string>? uploads, List<string> p)
    {
        if (Section(node, "observations: must be a mapping with 'csv', 'dataset' or 'database'", p) is not { } map)
        {
            return null;
        }

        Unknown(map, ObservationFields, "observations.", p);
        var csv = Scalar(map, "csv", "observations.csv", p);
        var dataset = Scalar(map, "dataset", "observations.dataset", p);
        var database = Database(Child(map, "database"), p);
        if ((csv is null ? 0 : 1) + (dataset is null ? 0 : 1) + (Child(map, "database") is null ? 0 : 1) != 1)
        {
            p.Add("observations: needs exactly one of 'csv', 'dataset' and 'database'");
        }

        if (csv is not null && origin == SpecOrigin.Service && uploads?.Contains(csv) != true)
        {
            p.Add($"observations.csv: '{csv}' is not a file uploaded with the campaign; the service never reads its own files");
        }

        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Child(map, "columns") is YamlMappingNode c)
        {
            foreach (var (key, value) in c.Children)
            {
                if (value is YamlScalarNode { Value: { Length: > 0 } column } && Property(KeyText(key), $"observations.columns.{KeyText(key)}", p) is { } property)
                {
                    columns[property] = column;
                }
                else if (value is not YamlScalarNode { Value.Length: > 0 })
                {
                    p.Add($"observations.columns.{KeyText(key)}: must name a column of the data");
                }
            }
        }
        else if (Child(map, "columns") is not null)
        {
            p.Add("observations.columns: must be a map from property to column");
        }

        var sample = Integer(map, "sample", "observations.sample", p, 1, 10_000_000);
        return new ObservationSource(csv, dataset, Scalar(map, "formula_column", "observations.formula_column", p), columns, (int?)sample, database);
    }

    // The query's element symbols and formula are checked here, so a bad one is named by its path before anything runs.
    private static DatabaseObservationQuery? Database(YamlNode? node, List<string> p)
    {
        if (Section(node, "observations.database: must be a mapping with 'scheme' and optionally one of 'chemsys', 'elements', 'formula'", p) is not { } map)
        {
            return null;
        }

        Unknown(map, DatabaseFields, "observations.database.", p);
        var scheme = Scalar(map, "scheme", "observations.database.scheme", p, required: true);
        if (scheme is not null && !Regex.IsMatch(scheme, "^[a-z0-9][a-z0-9_-]{0,31}$"))
        {
            p.Add($"observations.database.scheme: '{scheme}' is not a scheme name (e.g. experiment, ml, mp2020)");
        }

        var chemsys = Scalar(map, "chemsys", "observations.database.chemsys", p);
        string? elements = null;
        switch (Child(map, "elements"))
        {
            case YamlSequenceNode list:
                elements = string.Join(',', list.Children.Select(c => (c as YamlScalarNode)?.Value ?? "?"));
                break;
            case not null:
                elements = Scalar(map, "elements", "observations.database.elements", p);
                break;
        }

        var formula = Scalar(map, "formula", "observations.database.formula", p);
        if ((chemsys is null ? 0 : 1) + (elements is null ? 0 : 1) + (formula is null ? 0 : 1) > 1)
        {
            p.Add("observations.database: give at most one of 'chemsys', 'elements' and 'formula'");
        }

        foreach (var (text, separator, field) in new[] { (chemsys, '-', "chemsys"), (elements, ',', "elements") })
        {
            var symbols = text?.Split(separator, StringSplitOptions.TrimEntries) ?? [];
            if (symbols.FirstOrDefault(s => !PeriodicTable.TryFromSymbol(s, out _)) is { } bad)
            {
                p.Add($"observations.database.{field}: '{bad}' is not an element symbol");
            }
        }

        if (formula is not null && !FormulaParser.TryParse(formula, out _, out var error))
        {
            p.Add($"observations.database.formula: {error.Message}");
        }

        var version = Integer(map, "version", "observations.database.version", p, 1, long.MaxValue);
        return scheme is null ? null : new DatabaseObservationQuery(scheme, chemsys, elements, formula, version);
    }

    private static SurrogateSpec Surrogate(YamlNode? node, List<string> p)
    {
        var defaults = new SurrogateSpec();
        if (Section(node, "surrogate: must be a mapping", p) is not { } map)
        {
            return defaults;
        }

        Unknown(map, SurrogateFields, "surrogate.", p);
        var featurizer = Scalar(map, "featurizer", "surrogate.featurizer", p) ?? defaults.Featurizer;
        if (!FeaturizerPresets.Names.Contains(featurizer))
        {
            p.Add($"surrogate.featurizer: '{featurizer}' is not a preset; the presets are: {string.Join(", ", FeaturizerPresets.Names)}");
        }

        var model = defaults.Model;
        if (Scalar(map, "model", "surrogate.model", p) is { } modelText)
        {
            if (modelText == "trees" || modelText == "linear")
            {
                model = modelText == "linear" ? SurrogateModel.Linear : SurrogateModel.Trees;
            }
            else
            {
                p.Add($"surrogate.model: '{modelText}' is not one of: trees, linear");
            }
        }

        var focus = Double(map, "focus", "surrogate.focus", p) ?? defaults.Focus;
        if (focus is not (>= 0 and <= SurrogateSpec.MaxFocus))
        {
            p.Add($"surrogate.focus: must be in [0, {SurrogateSpec.MaxFocus}]");
        }

        var fraction = Double(map, "feature_fraction", "surrogate.feature_fraction", p) ?? defaults.FeatureFraction;
        var rate = Double(map, "learning_rate", "surrogate.learning_rate", p) ?? defaults.LearningRate;
        if (fraction is not (> 0 and <= 1) || rate is not (> 0 and <= 1))
        {
            p.Add("surrogate: feature_fraction and learning_rate must be in (0, 1]");
        }

        return new SurrogateSpec(
            (int)(Integer(map, "members", "surrogate.members", p, 2, MaxMembers) ?? defaults.Members),
            (int)(Integer(map, "trees", "surrogate.trees", p, 1, 5000) ?? defaults.Trees),
            (int)(Integer(map, "leaves", "surrogate.leaves", p, 2, 1024) ?? defaults.Leaves),
            rate,
            (int)(Integer(map, "min_leaf", "surrogate.min_leaf", p, 1, 1000) ?? defaults.MinLeaf),
            fraction,
            featurizer,
            model,
            focus);
    }

    private static AcquisitionSpec Acquisition(YamlNode? node, bool continuous, List<string> p)
    {
        var fallback = new AcquisitionSpec(AcquisitionKind.Ei, 2, 10, continuous ? 0.02 : 0.05);
        if (Section(node, "acquisition: must be a mapping", p) is not { } map)
        {
            return fallback;
        }

        Unknown(map, AcquisitionFields, "acquisition.", p);
        var function = fallback.Function;
        if (Scalar(map, "function", "acquisition.function", p) is { } text && !TryAcquisition(text, out function))
        {
            p.Add($"acquisition.function: '{text}' is not one of: {string.Join(", ", AcquisitionSpec.Names)}");
        }

        var kappa = Double(map, "kappa", "acquisition.kappa", p) ?? fallback.Kappa;
        var distance = Double(map, "min_distance", "acquisition.min_distance", p) ?? fallback.MinDistance;
        if (kappa < 0 || distance is < 0 or >= 1)
        {
            p.Add("acquisition: kappa must be ≥ 0 and min_distance in [0, 1)");
        }

        return new AcquisitionSpec(function, kappa, (int)(Integer(map, "batch", "acquisition.batch", p, 1, MaxBatch) ?? fallback.Batch), distance);
    }

    /// <summary>Reads an acquisition name as the spec and the command line write it (<c>ei</c>, <c>ucb</c>, ...).</summary>
    public static bool TryAcquisition(string text, out AcquisitionKind kind)
    {
        ArgumentNullException.ThrowIfNull(text);
        var i = AcquisitionSpec.Names.ToList().IndexOf(text);
        kind = i < 0 ? AcquisitionKind.Ei : Enum.GetValues<AcquisitionKind>()[i];
        return i >= 0;
    }

    private static string? Property(string? name, string path, List<string> p)
    {
        if (name is null)
        {
            return null;
        }

        if (!PropertyName().IsMatch(name))
        {
            p.Add($"{path}: '{name}' is not a property name (lowercase letters, digits and '_', starting with a letter, e.g. yield_strength)");
            return null;
        }

        return name;
    }

    private static string KeyText(YamlNode key) => key is YamlScalarNode { Value: { } v } ? v : key.ToString();

    private static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlMappingNode map, string key, string path, List<string> p, bool required = false)
    {
        switch (Child(map, key))
        {
            case YamlScalarNode { Value: { Length: > 0 } v }:
                return v;
            case null or YamlScalarNode:
                if (required)
                {
                    p.Add($"{path}: is required");
                }

                return null;
            default:
                p.Add($"{path}: must be a single value");
                return null;
        }
    }

    private static double? Number(YamlNode node) =>
        node is YamlScalarNode { Value: { } text } && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : null;

    private static double? Double(YamlMappingNode map, string key, string path, List<string> p)
    {
        if (Child(map, key) is not { } node)
        {
            return null;
        }

        if (Number(node) is { } v)
        {
            return v;
        }

        p.Add($"{path}: '{(node as YamlScalarNode)?.Value ?? "(not a value)"}' is not a finite number");
        return null;
    }

    private static long? Integer(YamlMappingNode map, string key, string path, List<string> p, long min, long max)
    {
        if (Child(map, key) is not { } node)
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } text } && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max)
        {
            return v;
        }

        p.Add(string.Create(CultureInfo.InvariantCulture, $"{path}: must be a whole number from {min:N0} to {max:N0}"));
        return null;
    }

    private static void Unknown(YamlMappingNode map, string[] allowed, string prefix, List<string> p)
    {
        foreach (var key in map.Children.Keys.Select(KeyText).Where(k => !allowed.Contains(k)))
        {
            p.Add($"{prefix}{key}: is not a field here; the fields are: {string.Join(", ", allowed)}");
        }
    }
}
