using System.Globalization;
using MaterialsDb.Chemistry;
using YamlDotNet.RepresentationModel;

namespace MaterialsDb.Screening.Spec;

/// <summary>
/// Reads a screening spec from YAML or JSON (JSON is YAML) and validates it, collecting every problem with the path of
/// its field rather than stopping at the first.
/// </summary>
public static class SpecParser
{

    /// <summary>Longest spec text accepted, in characters (inline candidate lists included).</summary>
    public const int MaxLength = 1_048_576;

    /// <summary>Deepest nesting of mappings and sequences accepted; a real spec is about five levels deep.</summary>
    public const int MaxDepth = 32;

    /// <summary>Most values (scalars, mappings, sequences) one spec may hold.</summary>
    public const int MaxNodes = 250_000;

    /// <summary>Longest screening name, in characters.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Most formulas in <c>candidates.formulas</c>; longer lists are uploaded as files.</summary>
    public const int MaxInlineFormulas = 100_000;

    /// <summary>Parses and validates a spec.</summary>
    /// <param name="text">YAML or JSON.</param>
    /// <param name="origin">
    /// <see cref="SpecOrigin.Service"/> for a spec submitted to the service: model and reference names must be ids, and
    /// <c>candidates.list</c> must name one of <paramref name="uploads"/>.
    /// </param>
    /// <param name="uploads">File names uploaded with the spec (service only).</param>
    /// <exception cref="SpecException">Malformed YAML/JSON or invalid fields; every problem names its field.</exception>
    public static ScreeningSpec Parse(string text, SpecOrigin origin = SpecOrigin.Local, IReadOnlyCollection<string>? uploads = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var root = SpecDocumentGuard.LoadMapping(text, "a spec is a mapping with at least 'name' and 'candidates'");

        var p = new Problems();
        Unknown(root, SpecFields.TopLevel, string.Empty, p);
        var name = Name(Scalar(root, "name", p, required: true), p);
        EnumerateSpec? enumerate = null;
        string? list = null;
        List<string>? formulas = null;
        if (Child(root, "candidates") is not YamlMappingNode candidates)
        {
            p.Add("candidates", "is required: 'enumerate: {...}', 'list: file.csv' or 'formulas: [...]'");
        }
        else
        {
            Unknown(candidates, SpecFields.Candidates, "candidates.", p);
            var given = SpecFields.Candidates.Where(k => Child(candidates, k) is not null).ToArray();
            if (given.Length != 1)
            {
                p.Add("candidates", "needs exactly one of 'enumerate', 'list' and 'formulas'");
            }
            else if (given[0] == "enumerate")
            {
                enumerate = Enumerate(Child(candidates, "enumerate"), p);
            }
            else if (given[0] == "list")
            {
                list = Scalar(candidates, "list", p, required: true, path: "candidates.list");
                if (list is not null && origin == SpecOrigin.Service && !(uploads ?? []).Contains(list))
                {
                    p.Add("candidates.list", $"names '{list}', but no file of that name was uploaded with the spec; the service never reads files on the server: upload the list as a multipart part named after it, or give the formulas under candidates.formulas");
                }
            }
            else
            {
                formulas = Strings(Child(candidates, "formulas"), "candidates.formulas", p);
                if (formulas.Count is 0 or > MaxInlineFormulas)
                {
                    p.Add("candidates.formulas", $"needs 1 to {MaxInlineFormulas:N0} formulas (got {formulas.Count:N0}); upload longer lists as a file");
                }
            }
        }

        var exclude = Elements(Child(root, "exclude_elements"), "exclude_elements", p);
        var predict = Strings(Child(root, "predict"), "predict", p);
        if (origin == SpecOrigin.Service)
        {
            for (var i = 0; i < predict.Count; i++)
            {
                ModelId(predict[i], $"predict[{i}]", p);
            }
        }

        StabilitySpec? stability = null;
        if (Child(root, "stability") is YamlMappingNode s)
        {
            Unknown(s, SpecFields.Stability, "stability.", p);
            stability = new StabilitySpec(Scalar(s, "reference", p, path: "stability.reference") ?? "mp_e_form", Scalar(s, "model", p, path: "stability.model") ?? "formation-energy");
            if (Number(s, "p_stable_threshold", "stability.p_stable_threshold", p) is { } threshold)
            {
                if (Math.Abs(threshold) > StabilitySpec.MaxPStableThreshold)
                {
                    p.Add("stability.p_stable_threshold", $"{threshold.ToString(CultureInfo.InvariantCulture)} eV/atom is outside ±{StabilitySpec.MaxPStableThreshold.ToString(CultureInfo.InvariantCulture)} eV/atom");
                }

                stability = stability with { PStableThreshold = threshold };
            }

            if (Bool(s, "self_consistent", "stability.self_consistent", false, p))
            {
                stability = stability with { SelfConsistent = true };
            }

            var scheme = Scalar(s, "scheme", p, path: "stability.scheme");
            var pinned = Scalar(s, "database_version", p, path: "stability.database_version");
            if (stability.UsesDatabase)
            {
                long version = 0;
                if (pinned is not null && (!long.TryParse(pinned, NumberStyles.None, CultureInfo.InvariantCulture, out version)))
                {
                    p.Add("stability.database_version", $"'{pinned}' is not a database version (a whole number ≥ 0)");
                }

                stability = stability with { Scheme = scheme ?? StabilitySpec.DefaultScheme, DatabaseVersion = pinned is null ? null : version };
                if (origin != SpecOrigin.Service)
                {
                    p.Add("stability.reference", "'database' is the service's shared materials database; submit the spec to 'materialsdb serve', or name a catalog dataset or CSV file here");
                }
            }
            else if (scheme is not null || pinned is not null)
            {
                p.Add(scheme is not null ? "stability.scheme" : "stability.database_version", "applies only with reference: database");
            }

            if (origin == SpecOrigin.Service)
            {
                ModelId(stability.Model, "stability.model", p);
                if (!stability.UsesDatabase && !Data.Catalog.DatasetCatalog.Default.TryGet(stability.Reference, out _))
                {
                    p.Add("stability.reference", $"'{stability.Reference}' is not a catalog dataset id or 'database'; the service takes references from its catalog (e.g. mp_e_form) or its materials database, never from files on the server");
                }
            }
        }
        else if (Child(root, "stability") is not null)
        {
            p.Add("stability", "must be a mapping like {reference: mp_e_form, model: formation-energy}");
        }

        // Every model gets its own result column; two ids that spell the same column (band-gap and band_gap) would collide.
        foreach (var clash in predict.Append(stability?.Model).OfType<string>().Distinct().GroupBy(ScreeningSpec.ColumnOf).Where(g => g.Count() > 1))
        {
            p.Add("predict", $"models {string.Join(" and ", clash.Select(id => $"'{id}'"))} would share the result column '{clash.Key}'; register one under another id");
        }

        var known = new HashSet<string>(predict.Concat(ScreeningSpec.BuiltInQuantities), StringComparer.Ordinal);
        var constraints = Constraints(Child(root, "constraints"), known, stability is not null, p);
        var rank = Rank(Child(root, "rank"), known, stability is not null, p);
        var top = ScreeningSpec.DefaultTop;
        if (Scalar(root, "top", p) is { } topText)
        {
            if (!int.TryParse(topText, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top < 1 || top > ScreeningSpec.MaxTop)
            {
                p.Add("top", $"'{topText}' must be a whole number from 1 to {ScreeningSpec.MaxTop:N0}");
            }
        }

        if (enumerate is not null && exclude.Intersect(enumerate.Require).Any())
        {
            p.Add("exclude_elements", $"excludes required element(s) {string.Join(", ", exclude.Intersect(enumerate.Require).Select(Symbol))}");
        }

        return p.Count > 0
            ? throw new SpecException(p.List)
            : new ScreeningSpec(name, enumerate, list, exclude, predict, stability, constraints, rank, top, formulas, origin);
    }

    /// <summary>True for a model id as the registry names packages: letters, digits, '-', '_' and '.', not starting with '.'; never a path.</summary>
    public static bool IsModelId(string text) =>
        text is { Length: > 0 and <= 100 } && text[0] != '.' && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    // Names end up in file names, download headers and logs: printable text only, of a sane length.
    private static string Name(string? name, Problems p)
    {
        if (name is null)
        {
            return string.Empty;
        }

        if (name.Length > MaxNameLength)
        {
            p.Add("name", $"is {name.Length:N0} characters long; the limit is {MaxNameLength}");
        }
        else if (name.Any(char.IsControl))
        {
            p.Add("name", "contains control characters (line breaks, tabs, NUL); use printable text");
        }
        else if (string.IsNullOrWhiteSpace(name))
        {
            p.Add("name", "is blank");
        }

        return name;
    }

    private static void ModelId(string id, string path, Problems p)
    {
        if (!IsModelId(id))
        {
            p.Add(path, $"'{id}' is not a model id (letters, digits, '-', '_', '.'); the service loads registered models by id, never folders on the server");
        }
    }

    private static EnumerateSpec? Enumerate(YamlNode? node, Problems p)
    {
        if (node is not YamlMappingNode e)
        {
            p.Add("candidates.enumerate", "must be a mapping");
            return null;
        }

        Unknown(e, SpecFields.Enumerate, "candidates.enumerate.", p);
        var elements = Elements(Child(e, "elements"), "candidates.enumerate.elements", p);
        if (elements.Count == 0)
        {
            p.Add("candidates.enumerate.elements", "needs at least one element");
        }

        var require = Elements(Child(e, "require"), "candidates.enumerate.require", p);
        var requireAny = Elements(Child(e, "require_any"), "candidates.enumerate.require_any", p);
        foreach (var (list, field) in new[] { (require, "require"), (requireAny, "require_any") })
        {
            var stray = list.Where(z => !elements.Contains(z)).ToArray();
            if (stray.Length > 0)
            {
                p.Add($"candidates.enumerate.{field}", $"{string.Join(", ", stray.Select(Symbol))} not in 'elements'");
            }
        }

        int min = 2, max = 3;
        if (Child(e, "n_elements") is { } n)
        {
            var values = Strings(n, "candidates.enumerate.n_elements", p);
            if (values.Count != 2 || !int.TryParse(values[0], CultureInfo.InvariantCulture, out min) || !int.TryParse(values[1], CultureInfo.InvariantCulture, out max) || min < 1 || max < min || max > Math.Max(elements.Count, 1))
            {
                p.Add("candidates.enumerate.n_elements", $"must be [min, max] with 1 ≤ min ≤ max ≤ {elements.Count} (the number of elements)");
            }
        }

        var maxCoefficient = 8;
        if (Scalar(e, "max_coefficient", p) is { } mc && (!int.TryParse(mc, CultureInfo.InvariantCulture, out maxCoefficient) || maxCoefficient < 1 || maxCoefficient > 64))
        {
            p.Add("candidates.enumerate.max_coefficient", $"'{mc}' must be a whole number from 1 to 64");
        }

        int? maxAtoms = null;
        if (Scalar(e, "max_atoms", p) is { } ma)
        {
            if (!int.TryParse(ma, CultureInfo.InvariantCulture, out var atoms) || atoms < 1 || atoms > 1000)
            {
                p.Add("candidates.enumerate.max_atoms", $"'{ma}' must be a whole number from 1 to 1000");
            }
            else if (atoms < min)
            {
                p.Add("candidates.enumerate.max_atoms", $"{atoms} atoms cannot hold {min} elements (n_elements)");
            }
            else
            {
                maxAtoms = atoms;
            }
        }

        var chargeNeutral = Bool(e, "charge_neutral", "candidates.enumerate.charge_neutral", true, p);
        var electronegativity = Bool(e, "electronegativity_test", "candidates.enumerate.electronegativity_test", false, p);
        string? set = Resources.OxidationStateSets.Default;
        var overrides = new Dictionary<int, int[]>();
        switch (Child(e, "oxidation_states"))
        {
            case null:
                break;
            case YamlScalarNode scalar when Resources.OxidationStateSets.Names.Contains(scalar.Value):
                set = scalar.Value;
                break;
            case YamlScalarNode scalar:
                p.Add("candidates.enumerate.oxidation_states", $"'{scalar.Value}' is not a set; use one of {string.Join(", ", Resources.OxidationStateSets.Names)} or a map per element");
                break;
            case YamlMappingNode map:
                set = null;
                foreach (var (key, value) in map.Children)
                {
                    var symbol = KeyText(key);
                    var z = PeriodicTable.AtomicNumberOf(symbol);
                    var states = Strings(value, $"candidates.enumerate.oxidation_states.{symbol}", p);
                    if (z == 0)
                    {
                        p.Add($"candidates.enumerate.oxidation_states.{symbol}", "is not an element symbol");
                    }
                    else if (states.Any(s => !int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
                    {
                        p.Add($"candidates.enumerate.oxidation_states.{symbol}", "must be a list of integers");
                    }
                    else
                    {
                        overrides[z] = [.. states.Select(x => int.Parse(x, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture))];
                    }
                }

                var missing = elements.Where(z => !overrides.ContainsKey(z)).ToArray();
                if (chargeNeutral && missing.Length > 0)
                {
                    p.Add("candidates.enumerate.oxidation_states", $"the map gives no states for {string.Join(", ", missing.Select(Symbol))}");
                }

                break;
            default:
                p.Add("candidates.enumerate.oxidation_states", "must be a set name or a map per element");
                break;
        }

        if (electronegativity && !chargeNeutral)
        {
            p.Add("candidates.enumerate.electronegativity_test", "needs charge_neutral: true (it tests the balancing oxidation states)");
        }

        return new EnumerateSpec(elements, require, requireAny, min, max, maxCoefficient, chargeNeutral, set, overrides, electronegativity, maxAtoms);
    }

    private static Dictionary<string, Bound> Constraints(YamlNode? node, HashSet<string> known, bool hasStability, Problems p)
    {
        var result = new Dictionary<string, Bound>(StringComparer.Ordinal);
        if (node is null)
        {
            return result;
        }

        if (node is not YamlMappingNode map)
        {
            p.Add("constraints", "must be a mapping like {e_above_hull: {max: 0.05}}");
            return result;
        }

        foreach (var (key, value) in map.Children)
        {
            var name = KeyText(key);
            var path = $"constraints.{name}";
            if (!known.Contains(name))
            {
                p.Add(path, $"is neither a predicted model id nor one of {string.Join(", ", ScreeningSpec.BuiltInQuantities)}");
                continue;
            }

            if (ScreeningSpec.StabilityQuantities.Contains(name) && !hasStability)
            {
                p.Add(path, "needs a 'stability' section");
            }

            if (value is not YamlMappingNode bounds)
            {
                p.Add(path, "must be {min: ..., max: ...}");
                continue;
            }

            Unknown(bounds, SpecFields.Bound, path + ".", p);
            var min = Number(bounds, "min", path + ".min", p);
            var max = Number(bounds, "max", path + ".max", p);
            if (min is null && max is null)
            {
                p.Add(path, "needs 'min', 'max' or both");
            }
            else if (min > max)
            {
                p.Add(path, $"min {min} is above max {max}");
            }

            result[name] = new Bound(min, max);
        }

        return result;
    }

    private static RankSpec? Rank(YamlNode? node, HashSet<string> known, bool hasStability, Problems p)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not YamlMappingNode map)
        {
            p.Add("rank", "must be a mapping with one of 'by', 'objective', 'pareto'");
            return null;
        }

        Unknown(map, SpecFields.Rank, "rank.", p);
        var present = new[] { "by", "objective", "pareto" }.Where(k => Child(map, k) is not null).ToArray();
        if (present.Length != 1)
        {
            p.Add("rank", "needs exactly one of 'by', 'objective', 'pareto'");
        }

        IReadOnlyList<string>? Keys(string field)
        {
            if (Child(map, field) is not { } n)
            {
                return null;
            }

            var keys = Strings(n, $"rank.{field}", p);
            foreach (var k in keys.Where(k => !known.Contains(k.TrimStart('-'))))
            {
                p.Add($"rank.{field}", $"'{k}' is neither a predicted model id nor one of {string.Join(", ", ScreeningSpec.BuiltInQuantities)}");
            }

            foreach (var k in keys.Where(k => !hasStability && ScreeningSpec.StabilityQuantities.Contains(k.TrimStart('-'))))
            {
                p.Add($"rank.{field}", $"'{k}' needs a 'stability' section");
            }

            return keys;
        }

        Dictionary<string, double>? objective = null;
        if (Child(map, "objective") is YamlMappingNode weights)
        {
            objective = [];
            foreach (var (key, _) in weights.Children)
            {
                var name = KeyText(key);
                if (!known.Contains(name))
                {
                    p.Add($"rank.objective.{name}", "is neither a predicted model id nor a built-in quantity");
                }
                else if (!hasStability && ScreeningSpec.StabilityQuantities.Contains(name))
                {
                    p.Add($"rank.objective.{name}", "needs a 'stability' section");
                }
                else if (Number(weights, name, $"rank.objective.{name}", p) is { } w)
                {
                    objective[name] = w;
                }
            }
        }

        return new RankSpec(Keys("by"), objective, Keys("pareto"), Bool(map, "uncertainty", "rank.uncertainty", false, p));
    }

    // A complex key ({? [a, b]: c}) is never a field name; showing it as text makes the "unknown field" error name it.
    private static string KeyText(YamlNode key) => key is YamlScalarNode { Value: { } v } ? v : key.ToString();

    private static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlMappingNode map, string key, Problems p, bool required = false, string? path = null)
    {
        switch (Child(map, key))
        {
            case YamlScalarNode { Value: { Length: > 0 } v }:
                return v;
            case null or YamlScalarNode:
                if (required)
                {
                    p.Add(path ?? key, "is required");
                }

                return null;
            default:
                p.Add(path ?? key, "must be a single value");
                return null;
        }
    }

    private static double? Number(YamlMappingNode map, string key, string path, Problems p)
    {
        var text = Scalar(map, key, p, path: path);
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v))
        {
            return v;
        }

        p.Add(path, $"'{text}' is not a finite number");
        return null;
    }

    private static bool Bool(YamlMappingNode map, string key, string path, bool fallback, Problems p)
    {
        var text = Scalar(map, key, p, path: path);
        if (text is null)
        {
            return fallback;
        }

        if (bool.TryParse(text, out var b))
        {
            return b;
        }

        p.Add(path, $"'{text}' must be true or false");
        return fallback;
    }

    private static List<string> Strings(YamlNode? node, string path, Problems p)
    {
        switch (node)
        {
            case null:
                return [];
            case YamlSequenceNode seq when seq.Children.All(c => c is YamlScalarNode):
                return [.. seq.Children.Select(c => ((YamlScalarNode)c).Value ?? string.Empty)];
            default:
                p.Add(path, "must be a list like [a, b]");
                return [];
        }
    }

    private static List<int> Elements(YamlNode? node, string path, Problems p)
    {
        var result = new List<int>();
        foreach (var symbol in Strings(node, path, p))
        {
            var z = PeriodicTable.AtomicNumberOf(symbol);
            if (z == 0)
            {
                p.Add(path, $"'{symbol}' is not an element symbol (case-sensitive, e.g. 'Fe')");
            }
            else if (!result.Contains(z))
            {
                result.Add(z);
            }
        }

        return result;
    }

    private static void Unknown(YamlMappingNode map, string[] allowed, string prefix, Problems p)
    {
        foreach (var key in map.Children.Keys.Select(KeyText).Where(k => !allowed.Contains(k)))
        {
            p.Add(prefix + key, $"is not a field here; the fields are: {string.Join(", ", allowed)}");
        }
    }

    private static string Symbol(int z) => PeriodicTable.FromZ(z).Symbol;

    private sealed class Problems
    {
        public List<string> List { get; } = [];

        public int Count => List.Count;

        public void Add(string path, string problem) => List.Add($"{path}: {problem}");
    }
}
