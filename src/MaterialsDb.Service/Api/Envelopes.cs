using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MaterialsDb.Service.Api;

/// <summary>The <c>fields</c> parameter: a comma-separated subset of an item's (snake_case) fields.</summary>
internal static class Fields
{
    /// <summary>The selected fields, or a problem naming the unknown ones; null selection = all fields.</summary>
    public static (IReadOnlyList<string>? Selected, IResult? Problem) Parse(string? fields, IReadOnlyCollection<string> allowed)
    {
        if (fields is null)
        {
            return (null, null);
        }

        var selected = fields.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToArray();
        var unknown = selected.Where(f => !allowed.Contains(f)).ToArray();
        return unknown.Length > 0 || selected.Length == 0 || selected.Length > allowed.Count
            ? (null, Problems.Invalid("fields", $"{(unknown.Length > 0 ? string.Join(", ", unknown.Select(u => $"'{u}'")) + " unknown; " : string.Empty)}choose from {string.Join(", ", allowed)}"))
            : (selected, null);
    }
}

/// <summary>Every list endpoint answers with a <see cref="ListEnvelope{T}"/>: <c>data</c>, <c>meta</c>, <c>links.next</c>.</summary>
internal static class Envelopes
{
    public static IResult List<T>(HttpContext http, IReadOnlyList<T> items, int limit, string? next, string? fields, IReadOnlyCollection<string> allowed)
    {
        var meta = new ListMeta(items.Count, limit);
        var links = new ListLinks(next);
        if (Fields.Parse(fields, allowed).Selected is not { } selected)
        {
            return TypedResults.Ok(new ListEnvelope<T>(items, meta, links));
        }

        // The items with only the chosen fields, named as the API's JSON options name them.
        var json = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var data = new JsonArray();
        foreach (var item in items)
        {
            var full = JsonSerializer.SerializeToNode(item, json)!.AsObject();
            var cut = new JsonObject();
            foreach (var field in selected)
            {
                cut[field] = full[field]?.DeepClone();
            }

            data.Add(cut);
        }

        return TypedResults.Json(new { data, meta, links }, json);
    }
}
