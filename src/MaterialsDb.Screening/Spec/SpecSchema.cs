using System.ComponentModel;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;

namespace MaterialsDb.Screening.Spec;

/// <summary>
/// The JSON Schema (draft 2020-12) of a screening spec, generated from <see cref="SpecDocument"/> with
/// <see cref="JsonSchemaExporter"/>: descriptions come from the types' <see cref="DescriptionAttribute"/>s, unknown
/// fields are refused (as the parser refuses them), and the rules the types cannot say — exactly one candidate source,
/// exactly one ranking, numeric ranges, the oxidation-state set names — are added here. The service publishes it at
/// <c>/api/v1/schemas/screening-spec.json</c>; editors (VS Code's YAML extension) validate specs with it.
/// </summary>
public static class SpecSchema
{
    /// <summary>The stable URL the service serves the schema at, relative to the server.</summary>
    public const string Id = "/api/v1/schemas/screening-spec.json";

    private static readonly Lazy<JsonObject> Schema = new(Build);

    /// <summary>A fresh copy of the schema.</summary>
    public static JsonObject Document => (JsonObject)Schema.Value.DeepClone();

    private static JsonObject Build()
    {
        var options = new JsonSerializerOptions(SpecFields.Json) { TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };
        var exporter = new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = (context, node) =>
            {
                if (node is not JsonObject schema)
                {
                    return node;
                }

                var description = context.PropertyInfo?.AttributeProvider?.GetCustomAttributes(typeof(DescriptionAttribute), inherit: false).OfType<DescriptionAttribute>().FirstOrDefault()
                    ?? (context.PropertyInfo is null ? context.TypeInfo.Type.GetCustomAttribute<DescriptionAttribute>() : null);
                if (description is not null)
                {
                    schema["description"] = description.Description;
                }

                if (context.TypeInfo.Kind == System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object && schema.ContainsKey("properties"))
                {
                    schema["additionalProperties"] = false;
                }

                return schema;
            },
        };
        var root = (JsonObject)options.GetJsonSchemaAsNode(typeof(SpecDocument), exporter);
        root.Insert(0, "$schema", "https://json-schema.org/draft/2020-12/schema");
        root.Insert(1, "$id", Id);
        root.Insert(2, "title", "MaterialsDb screening spec");

        var properties = Object(root, "properties");
        Object(properties, "name")["minLength"] = 1;
        Object(properties, "name")["maxLength"] = SpecParser.MaxNameLength;
        Range(Object(properties, "top"), 1, ScreeningSpec.MaxTop);

        var candidates = Object(properties, "candidates");
        candidates["oneOf"] = new JsonArray(SpecFields.Candidates.Select(f => (JsonNode)new JsonObject { ["required"] = new JsonArray(f) }).ToArray());
        var candidateFields = Object(candidates, "properties");
        Object(candidateFields, "formulas")["minItems"] = 1;
        Object(candidateFields, "formulas")["maxItems"] = SpecParser.MaxInlineFormulas;

        var enumerate = Object(Object(candidateFields, "enumerate"), "properties");
        Object(enumerate, "elements")["minItems"] = 1;
        Object(enumerate, "n_elements")["minItems"] = 2;
        Object(enumerate, "n_elements")["maxItems"] = 2;
        Range(Object(enumerate, "max_coefficient"), 1, 64);
        Range(Object(enumerate, "max_atoms"), 1, 1000);
        enumerate["oxidation_states"] = new JsonObject
        {
            ["description"] = Object(enumerate, "oxidation_states")["description"]?.DeepClone(),
            ["anyOf"] = new JsonArray(
                new JsonObject { ["enum"] = new JsonArray(Resources.OxidationStateSets.Names.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()) },
                new JsonObject
                {
                    ["type"] = "object",
                    ["additionalProperties"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "integer" } },
                }),
        };

        var rank = Object(properties, "rank");
        rank["oneOf"] = new JsonArray(new[] { "by", "objective", "pareto" }.Select(f => (JsonNode)new JsonObject { ["required"] = new JsonArray(f) }).ToArray());
        var bound = Object(Object(properties, "constraints"), "additionalProperties");
        bound["anyOf"] = new JsonArray(new JsonObject { ["required"] = new JsonArray("min") }, new JsonObject { ["required"] = new JsonArray("max") });
        return root;
    }

    private static JsonObject Object(JsonObject parent, string name) =>
        parent[name] as JsonObject ?? throw new InvalidOperationException($"The generated spec schema has no object '{name}'.");

    private static void Range(JsonObject schema, int min, int max)
    {
        schema["minimum"] = min;
        schema["maximum"] = max;
    }
}
