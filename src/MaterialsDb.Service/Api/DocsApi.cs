using System.Text.Json.Nodes;
using MaterialsDb.Screening.Spec;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MaterialsDb.Service.Api;

/// <summary>Anonymous, self-describing endpoints: health, the problem types, the screening spec's JSON Schema.</summary>
internal static class DocsApi
{
    /// <summary>The stable URL of the screening spec's JSON Schema.</summary>
    public const string SpecSchemaPath = "/api/v1/schemas/screening-spec.json";

    public static void Map(RouteGroupBuilder api, ServiceOptions options)
    {
        var mode = options.Postgres is null ? "embedded" : "cluster";
        var version = typeof(DocsApi).Assembly.GetName().Version?.ToString() ?? "0";
        api.MapGet("/health", () => TypedResults.Ok(new HealthInfo("ok", version, mode))).WithName("getHealth").WithTags("Service")
            .WithSummary("Liveness; needs no key").AllowAnonymous().DisableRateLimiting();
        api.MapGet("/problems", () => TypedResults.Ok(ProblemKind.All.Select(Info).ToList())).WithName("listProblemTypes").WithTags("Service")
            .WithSummary("Every problem type the API reports (the 'type' of its error bodies)").AllowAnonymous();
        api.MapGet("/problems/{slug}", (string slug) => ProblemKind.All.FirstOrDefault(k => k.Slug == slug) is { } kind
                ? TypedResults.Ok(Info(kind))
                : Problems.Result(ProblemKind.NotFound, $"there is no problem type '{slug}'"))
            .WithName("getProblemType").WithTags("Service").WithSummary("One problem type").AllowAnonymous()
            .Produces<ProblemTypeInfo>().ProducesProblem(StatusCodes.Status404NotFound);
        var schema = SpecSchema.Document.ToJsonString();
        api.MapGet("/schemas/screening-spec.json", () => TypedResults.Text(schema, "application/schema+json")).WithName("getScreeningSpecSchema").WithTags("Screenings")
            .WithSummary("JSON Schema of the screening spec (for editors and validators)").AllowAnonymous()
            .Produces<JsonObject>(contentType: "application/schema+json");
    }

    private static ProblemTypeInfo Info(ProblemKind k) => new(k.Type, k.Status, k.Title, k.Description);
}
