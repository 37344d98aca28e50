using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MaterialsDb.Database;
using MaterialsDb.Database.Filters;
using MaterialsDb.Service.Auth;
using MaterialsDb.Service.Materials;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace MaterialsDb.Service.Optimade;

/// <summary>
/// The OPTIMADE v1.2 provider at <c>/optimade</c>: versions, info, the <c>structures</c> entries (composition-only:
/// structure fields are null) and links. Anonymous callers see public entries; an API key gives its tenant's view.
/// Answers are JSON:API documents, errors included, never problem details.
/// </summary>
internal static partial class OptimadeApi
{
    /// <summary>The path prefix.</summary>
    public const string Base = "/optimade";

    /// <summary>Largest page (a larger page_limit is refused with 403).</summary>
    public const int MaxPageLimit = 1000;

    /// <summary>Page size when page_limit is not given.</summary>
    public const int DefaultPageLimit = 20;

    private const string PinnedVersion = "_mdb_database_version";

    private static readonly HashSet<string> KnownParameters =
        ["filter", "page_limit", "page_offset", "page_above", "response_fields", "response_format", "email_address", "include", "api_hint", "sort", "page_number", "page_cursor", "page_below", PinnedVersion];

    public static void Map(IEndpointRouteBuilder app)
    {
        var optimade = app.MapGroup(Base).AllowAnonymous().ExcludeFromDescription();
        optimade.MapGet("/versions", () => Results.Text("version\n1\n", "text/csv; header=present", Encoding.UTF8));
        optimade.MapGet("/{version}/info", (HttpContext http, string version) => Handle(http, version, "/info", () => Task.FromResult(Info(http))));
        optimade.MapGet("/{version}/info/structures", (HttpContext http, string version) => Handle(http, version, "/info/structures", () => Task.FromResult(StructuresInfo(http))));
        optimade.MapGet("/{version}/links", (HttpContext http, string version) => Handle(http, version, "/links", () => Task.FromResult(Links(http))));
        optimade.MapGet("/{version}/structures", (HttpContext http, SharedDatabase shared, string version, CancellationToken ct) =>
            Handle(http, version, "/structures", () => ListAsync(http, shared, ct)));
        optimade.MapGet("/{version}/structures/{id}", (HttpContext http, SharedDatabase shared, string version, string id, CancellationToken ct) =>
            Handle(http, version, "/structures/" + id, () => SingleAsync(http, shared, id, ct)));
        optimade.MapGet("/{version}/{**rest}", (HttpContext http, string version, string? rest) =>
            Handle(http, version, "/" + rest, () => throw new OptimadeException(404, $"There is no endpoint '/{rest}'; this provider serves info, links and structures.")));
    }

    [GeneratedRegex(@"^v\d+(\.\d+){0,2}$")]
    private static partial Regex VersionSegment();

    // The version check, the caller's key and the error format, shared by every endpoint.
    private static async Task<IResult> Handle(HttpContext http, string version, string endpoint, Func<Task<JsonObject>> answer)
    {
        var warnings = new List<string>();
        http.Items[typeof(OptimadeApi)] = warnings;
        try
        {
            if (version is not ("v1" or "v1.2" or "v1.2.0"))
            {
                throw VersionSegment().IsMatch(version)
                    ? new OptimadeException(553, $"API version '{version}' is not served; this provider serves v1 (specification {OptimadeDocuments.ApiVersion}), see {Base}/versions.")
                    : new OptimadeException(404, $"'{version}' is not an API version; use {Base}/v1.");
            }

            if (http.Request.Headers.ContainsKey(ApiKeys.Header) && (await http.AuthenticateAsync(AuthSchemes.Api).ConfigureAwait(false)).Failure is { } failure)
            {
                throw new OptimadeException(401, $"{failure.Message}; leave the {ApiKeys.Header} header out to read public entries anonymously.");
            }

            return Send(200, await answer().ConfigureAwait(false));
        }
        catch (OptimadeException e)
        {
            return Send(e.Status, OptimadeDocuments.Errors(http, endpoint, e.Status, e.Message, warnings));
        }
        catch (FilterException e)
        {
            return Send(e.Status, OptimadeDocuments.Errors(http, endpoint, e.Status, e.Message, warnings));
        }
        catch (MaterialsDbException e)
        {
            return Send(400, OptimadeDocuments.Errors(http, endpoint, 400, e.Message, warnings));
        }
    }

    private static IResult Send(int status, JsonObject body) => Results.Text(body.ToJsonString(), OptimadeDocuments.MediaType, Encoding.UTF8, status);

    private static List<string> Warnings(HttpContext http) => (List<string>)http.Items[typeof(OptimadeApi)]!;

    private static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{Base}";

    private static JsonObject Info(HttpContext http) => new()
    {
        ["data"] = new JsonObject
        {
            ["type"] = "info",
            ["id"] = "/",
            ["attributes"] = new JsonObject
            {
                ["api_version"] = OptimadeDocuments.ApiVersion,
                ["available_api_versions"] = new JsonArray(new JsonObject { ["url"] = BaseUrl(http) + "/v1", ["version"] = OptimadeDocuments.ApiVersion }),
                ["formats"] = new JsonArray("json"),
                ["entry_types_by_format"] = new JsonObject { ["json"] = new JsonArray("structures") },
                ["available_endpoints"] = new JsonArray("info", "links", "structures"),
                ["is_index"] = false,
            },
        },
        ["meta"] = OptimadeDocuments.Meta(http, "/info", 1, false, Warnings(http)),
    };

    private static JsonObject StructuresInfo(HttpContext http) => new()
    {
        ["data"] = new JsonObject
        {
            ["description"] = "Composition-level materials entries: every structure field (lattice, sites, species) is null and structure_features is []. Provider fields start with _mdb_.",
            ["properties"] = OptimadeDocuments.Properties(),
            ["formats"] = new JsonArray("json"),
            ["output_fields_by_format"] = new JsonObject { ["json"] = new JsonArray([.. EntryFields.All.Select(f => (JsonNode)f.Name)]) },
        },
        ["meta"] = OptimadeDocuments.Meta(http, "/info/structures", 1, false, Warnings(http)),
    };

    private static JsonObject Links(HttpContext http) => new()
    {
        ["data"] = new JsonArray(new JsonObject
        {
            ["type"] = "links",
            ["id"] = "materialsdb",
            ["attributes"] = new JsonObject
            {
                ["name"] = "MaterialsDb",
                ["description"] = "This provider's own database.",
                ["base_url"] = BaseUrl(http),
                ["homepage"] = null,
                ["link_type"] = "root",
            },
        }),
        ["meta"] = OptimadeDocuments.Meta(http, "/links", 1, false, Warnings(http)),
    };

    private static async Task<JsonObject> ListAsync(HttpContext http, SharedDatabase shared, CancellationToken ct)
    {
        var query = http.Request.Query;
        var warnings = Warnings(http);
        var fields = ResponseFields(query, warnings);
        WarnUnknownParameters(query, warnings);
        foreach (var unsupported in new[] { "sort", "page_number", "page_cursor", "page_below" })
        {
            if (Single(query, unsupported) is { Length: > 0 })
            {
                throw new OptimadeException(501, $"'{unsupported}' is not supported by this provider: entries come in id order; page with page_limit, page_offset or page_above (links.next does).");
            }
        }

        var limit = Integer(query, "page_limit") ?? DefaultPageLimit;
        if (limit < 1)
        {
            throw new OptimadeException(400, "page_limit must be 1 or more.");
        }

        if (limit > MaxPageLimit)
        {
            throw new OptimadeException(403, $"page_limit {limit} is above this provider's maximum of {MaxPageLimit}.");
        }

        var offset = Integer(query, "page_offset") ?? 0;
        if (offset < 0)
        {
            throw new OptimadeException(400, "page_offset must be 0 or more.");
        }

        long above = 0;
        if (Single(query, "page_above") is { } aboveId && !MaterialEntry.TryParseId(aboveId, out above))
        {
            throw new OptimadeException(400, $"page_above takes an entry id (mdb-<n>), not '{Shorten(aboveId)}'.");
        }

        var text = Single(query, "filter") ?? string.Empty;
        var filter = string.IsNullOrWhiteSpace(text) ? null : EntryFields.Bind(FilterParser.Parse(text), warnings);

        var database = await shared.ReadyAsync(ct).ConfigureAwait(false);
        var viewer = Api.MaterialsApi.ViewerOf(http);
        var version = await database.ResolveVersionAsync(viewer, Long(query, PinnedVersion), ct).ConfigureAwait(false);
        // What matches at a version never changes: a client paging through a large result counts it once.
        var counts = http.RequestServices.GetRequiredService<MatchCounts>();
        var countKey = (viewer.Tenant ?? string.Empty, version, text);
        var known = counts.TryGet(countKey);
        var page = await database.Store.FilterAsync(filter, viewer, version, above, offset, limit, count: known is null, ct).ConfigureAwait(false);
        var matching = known ?? counts.Remember(countKey, page.Matching);
        var data = new JsonArray();
        foreach (var entry in page.Entries)
        {
            data.Add(OptimadeDocuments.Resource(entry, fields, await EAboveHullAsync(shared, fields, entry, viewer, version, ct).ConfigureAwait(false)));
        }

        var links = new JsonObject();
        if (page.More)
        {
            links["next"] = NextLink(http, page.Entries[^1].Id, version);
        }

        return new JsonObject
        {
            ["data"] = data,
            ["meta"] = OptimadeDocuments.Meta(http, "/structures", matching, page.More, warnings, version),
            ["links"] = links,
        };
    }

    private static async Task<JsonObject> SingleAsync(HttpContext http, SharedDatabase shared, string id, CancellationToken ct)
    {
        var query = http.Request.Query;
        var warnings = Warnings(http);
        var fields = ResponseFields(query, warnings);
        WarnUnknownParameters(query, warnings);
        var database = await shared.ReadyAsync(ct).ConfigureAwait(false);
        var viewer = Api.MaterialsApi.ViewerOf(http);
        var version = await database.ResolveVersionAsync(viewer, Long(query, PinnedVersion), ct).ConfigureAwait(false);
        MaterialEntry entry;
        try
        {
            entry = await database.GetAsync(id, viewer, version, ct).ConfigureAwait(false);
        }
        catch (EntryNotFoundException)
        {
            throw new OptimadeException(404, $"No structure '{Shorten(id)}' is visible to this caller.");
        }

        if (entry.Retracted)
        {
            throw new OptimadeException(404, $"Structure '{entry.Id}' was retracted (revision {entry.Revision}).");
        }

        return new JsonObject
        {
            ["data"] = OptimadeDocuments.Resource(entry, fields, await EAboveHullAsync(shared, fields, entry, viewer, version, ct).ConfigureAwait(false)),
            ["meta"] = OptimadeDocuments.Meta(http, "/structures/" + entry.Id, 1, false, warnings, version),
        };
    }

    private static async Task<double?> EAboveHullAsync(SharedDatabase shared, IReadOnlyList<EntryField> fields, MaterialEntry entry, Viewer viewer, long version, CancellationToken ct)
    {
        if (!fields.Any(f => f.Name == EntryFields.EAboveHull) || entry.SourceKind != SourceKind.Dft || entry.EFormPerAtom is null || EnergySchemes.Find(entry.Scheme) is not { HasHulls: true })
        {
            return null;
        }

        var hull = await shared.HullAsync(entry.Scheme, [.. entry.Composition.AtomicNumbers.ToArray().Select(z => (int)z).Order()], viewer, version, ct).ConfigureAwait(false);
        return hull.EAboveHull(entry.Number);
    }

    // Every standard field with the provider's default ones, or exactly those named (id and type are always there).
    private static List<EntryField> ResponseFields(IQueryCollection query, List<string> warnings)
    {
        if (Single(query, "response_format") is { } format && format != "json")
        {
            throw new OptimadeException(400, $"response_format '{Shorten(format)}' is not served; use json.");
        }

        if (Single(query, "include") is { Length: > 0 } include)
        {
            throw new OptimadeException(400, $"include '{Shorten(include)}': structures here have no relationships to include.");
        }

        if (Single(query, "response_fields") is not { } names)
        {
            return [.. EntryFields.All.Where(f => f.InDefaultResponse)];
        }

        var fields = new List<EntryField>();
        foreach (var name in names.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct())
        {
            if (EntryFields.Find(name) is { } field)
            {
                fields.Add(field);
            }
            else if (EntryFields.IsOtherProvider(name))
            {
                warnings.Add($"response_fields: '{name}' is another provider's field; it is left out.");
            }
            else
            {
                throw new OptimadeException(400, $"response_fields: unknown property '{Shorten(name)}'; the properties are listed at /info/structures.");
            }
        }

        return fields;
    }

    private static void WarnUnknownParameters(IQueryCollection query, List<string> warnings)
    {
        foreach (var key in query.Keys.Where(k => !KnownParameters.Contains(k) && !k.StartsWith('_')))
        {
            warnings.Add($"Query parameter '{Shorten(key)}' is not an OPTIMADE parameter; it was ignored.");
        }
    }

    private static string NextLink(HttpContext http, string lastId, long version)
    {
        var kept = http.Request.Query.Where(p => p.Key is not ("page_offset" or "page_above" or PinnedVersion))
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v)))
            .Append(new("page_above", lastId))
            .Append(new(PinnedVersion, version.ToString(CultureInfo.InvariantCulture)));
        return QueryHelpers.AddQueryString(BaseUrl(http) + "/v1/structures", kept);
    }

    private static string? Single(IQueryCollection query, string name) => query[name].Count switch
    {
        0 => null,
        1 => query[name][0],
        _ => throw new OptimadeException(400, $"'{name}' is given {query[name].Count} times; give it once."),
    };

    private static int? Integer(IQueryCollection query, string name) => Single(query, name) is { } text
        ? int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n
            : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var big) ? (big > 0 ? int.MaxValue : int.MinValue)
            : throw new OptimadeException(400, $"{name} must be an integer, not '{Shorten(text)}'.")
        : null;

    private static long? Long(IQueryCollection query, string name) => Single(query, name) is { } text
        ? long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new OptimadeException(400, $"{name} must be a database version (a whole number), not '{Shorten(text)}'.")
        : null;

    private static string Shorten(string text) => text.Length > 60 ? text[..60] + "…" : text;
}

/// <summary>An OPTIMADE error with its HTTP status.</summary>
internal sealed class OptimadeException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
