using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace MaterialsDb.Web;

/// <summary>
/// The web application: one HTML shell for every page (each page is an ES module that renders itself from the REST
/// API), and its scripts, styles and vendor files under <c>/app</c>, all embedded in this assembly. The host decides
/// who may load which page through the policies it passes in.
/// </summary>
public static class WebApp
{
    /// <summary>Where the static files are served.</summary>
    public const string AssetPath = "/app";

    /// <summary>Pages anyone may open (the landing page explains how to sign in).</summary>
    public static IReadOnlyList<string> PublicPages { get; } = ["/"];

    /// <summary>Pages for signed-in members.</summary>
    public static IReadOnlyList<string> MemberPages { get; } =
    [
        "/screenings", "/screenings/new", "/screenings/{id:guid}", "/screenings/{id:guid}/candidates/{rank:int}",
        "/materials", "/materials/{id}", "/phase-diagram", "/phase-diagram/{chemsys}", "/models", "/models/{id}",
    ];

    /// <summary>Pages for operators.</summary>
    public static IReadOnlyList<string> OperatorPages { get; } = ["/operators"];

    private static readonly ManifestEmbeddedFileProvider Files = new(typeof(WebApp).Assembly, "wwwroot");

    // Scripts only from this site; Plotly sets inline styles on the SVG it draws, hence 'unsafe-inline' for styles only.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    /// <summary>Serves <c>/app/…</c> from the embedded files (before routing and authentication: nothing in them is private).</summary>
    public static IApplicationBuilder UseWebAssets(this IApplicationBuilder app)
    {
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".mjs"] = "text/javascript";
        types.Mappings[".yaml"] = "application/yaml";
        return app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = Files,
            RequestPath = AssetPath,
            ContentTypeProvider = types,

            // Revalidated on every load (ETag): a new version is never mixed with cached old modules.
            OnPrepareResponse = context =>
            {
                context.Context.Response.Headers.CacheControl = "no-cache";
                context.Context.Response.Headers.XContentTypeOptions = "nosniff";
            },
        });
    }

    /// <summary>Maps the pages; each group of pages requires the given authorization policy (null: anonymous).</summary>
    public static void MapPages(IEndpointRouteBuilder endpoints, string memberPolicy, string operatorPolicy)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var shell = Read("index.html");
        foreach (var page in PublicPages)
        {
            endpoints.MapGet(page, (HttpContext http) => Shell(http, shell)).AllowAnonymous().ExcludeFromDescription();
        }

        foreach (var page in MemberPages)
        {
            endpoints.MapGet(page, (HttpContext http) => Shell(http, shell)).RequireAuthorization(memberPolicy).ExcludeFromDescription();
        }

        foreach (var page in OperatorPages)
        {
            endpoints.MapGet(page, (HttpContext http) => Shell(http, shell)).RequireAuthorization(operatorPolicy).ExcludeFromDescription();
        }

        // Browsers ask for /favicon.ico whatever the page says.
        var icon = Read("favicon.svg");
        endpoints.MapGet("/favicon.ico", () => Results.Bytes(icon, "image/svg+xml")).AllowAnonymous().ExcludeFromDescription();

        // The example specs the new-screening page offers, by name.
        var examples = Files.GetDirectoryContents("examples").Where(f => !f.IsDirectory).Select(f => f.Name).Order(StringComparer.Ordinal).ToArray();
        endpoints.MapGet(AssetPath + "/examples.json", () => Results.Bytes(JsonSerializer.SerializeToUtf8Bytes(examples), "application/json")).AllowAnonymous().ExcludeFromDescription();
    }

    private static byte[] Read(string name)
    {
        using var stream = Files.GetFileInfo(name).CreateReadStream();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static IResult Shell(HttpContext http, byte[] shell)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "same-origin";
        return Results.Bytes(shell, "text/html; charset=utf-8");
    }
}
