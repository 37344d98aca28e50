using System.Globalization;
using System.Text.Json.Nodes;
using MaterialsDb.Database;
using MaterialsDb.Database.Filters;
using Microsoft.AspNetCore.Http;

namespace MaterialsDb.Service.Optimade;

/// <summary>The JSON:API documents of the OPTIMADE provider: envelopes with the required meta, entries, errors.</summary>
internal static class OptimadeDocuments
{
    /// <summary>The specification version served.</summary>
    public const string ApiVersion = "1.2.0";

    /// <summary>The JSON:API media type.</summary>
    public const string MediaType = "application/vnd.api+json";

    /// <summary>The provider object of every response's meta.</summary>
    public static JsonObject Provider() => new()
    {
        ["name"] = "MaterialsDb",
        ["description"] = "The shared materials database of MaterialsDb: composition-level entries (formation energies by energy scheme, band gaps) contributed by DFT, experiment and ML, with owners and visibility.",
        ["prefix"] = EntryFields.Prefix,
        ["homepage"] = null,
    };

    /// <summary>The meta object: what was asked, how much matched, when, by whom, and warnings.</summary>
    public static JsonObject Meta(HttpContext http, string endpoint, long? returned, bool more, IReadOnlyCollection<string> warnings, long? databaseVersion = null)
    {
        var meta = new JsonObject
        {
            ["query"] = new JsonObject { ["representation"] = endpoint + http.Request.QueryString.Value },
            ["api_version"] = ApiVersion,
            ["more_data_available"] = more,
            ["time_stamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["provider"] = Provider(),
            ["implementation"] = new JsonObject { ["name"] = "MaterialsDb", ["version"] = typeof(OptimadeDocuments).Assembly.GetName().Version?.ToString() },
        };
        if (returned is { } n)
        {
            meta["data_returned"] = n;
        }

        if (databaseVersion is { } v)
        {
            meta["_mdb_database_version"] = v;
        }

        if (warnings.Count > 0)
        {
            meta["warnings"] = new JsonArray([.. warnings.Select(w => (JsonNode)new JsonObject { ["type"] = "warning", ["title"] = "Warning", ["detail"] = w })]);
        }

        return meta;
    }

    /// <summary>An entry as a JSON:API resource with the requested attributes.</summary>
    public static JsonObject Resource(MaterialEntry entry, IReadOnlyList<EntryField> fields, double? eAboveHull)
    {
        var attributes = new JsonObject();
        foreach (var field in fields)
        {
            if (field.Name is "id" or "type")
            {
                continue;
            }

            attributes[field.Name] = field.Name == EntryFields.EAboveHull ? eAboveHull : Json(field.Value(entry));
        }

        return new JsonObject { ["id"] = entry.Id, ["type"] = "structures", ["attributes"] = attributes };
    }

    /// <summary>The body of an error response.</summary>
    public static JsonObject Errors(HttpContext http, string endpoint, int status, string detail, IReadOnlyCollection<string> warnings) => new()
    {
        ["errors"] = new JsonArray(new JsonObject { ["status"] = status.ToString(CultureInfo.InvariantCulture), ["title"] = Title(status), ["detail"] = detail }),
        ["meta"] = Meta(http, endpoint, null, false, warnings),
    };

    /// <summary>The property definitions of <c>/info/structures</c>.</summary>
    public static JsonObject Properties()
    {
        var properties = new JsonObject();
        foreach (var f in EntryFields.All)
        {
            var definition = new JsonObject
            {
                ["description"] = f.Description + (f.Queryable ? string.Empty : " Not queryable."),
                ["type"] = f.Type switch
                {
                    FieldType.String => "string",
                    FieldType.Integer => "integer",
                    FieldType.Float => "float",
                    FieldType.Timestamp => "timestamp",
                    _ => "list",
                },
                ["sortable"] = false,
            };
            if (f.Unit is not null)
            {
                definition["unit"] = f.Unit;
            }

            properties[f.Name] = definition;
        }

        return properties;
    }

    private static string Title(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        501 => "Not Implemented",
        553 => "Version Not Supported",
        _ => "Error",
    };

    private static JsonNode? Json(object? value) => value switch
    {
        null => null,
        string s => s,
        double d => d,
        long n => n,
        DateTimeOffset t => EntryFields.Microseconds(t).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        string[] list => new JsonArray([.. list.Select(x => (JsonNode?)x)]),
        double[] list => new JsonArray([.. list.Select(x => (JsonNode?)x)]),
        _ => throw new InvalidOperationException($"No JSON form for {value.GetType().Name}."),
    };
}
