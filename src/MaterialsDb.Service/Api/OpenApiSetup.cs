using MaterialsDb.Screening.Spec;
using MaterialsDb.Service.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace MaterialsDb.Service.Api;

/// <summary>
/// The OpenAPI 3.1 document at <c>/api/v1/openapi.json</c>: what the framework derives from the endpoints (operation ids,
/// tags, parameter and response schemas from the contract types), plus what it cannot know — the security schemes and
/// which operations need them, the 401/403/429/503 answers every protected operation may give (429 and 503 with
/// <c>Retry-After</c>), and the spec bodies <c>POST /screenings</c> accepts (JSON, YAML, multipart with a file).
/// </summary>
internal static class OpenApiSetup
{
    public const string DocumentPath = "/api/v1/openapi.json";

    private static readonly (string Name, string Description)[] Tags =
    [
        ("Screenings", "Submit screening specs, follow their progress, download ranked candidates."),
        ("Predict", "Synchronous property predictions for a few thousand formulas."),
        ("Models", "The model packages screenings and predictions use."),
        ("Datasets", "The catalog of pinned, checksummed public datasets."),
        ("Materials", "Known entries of the shared materials database."),
        ("Session", "Exchange an API key for a browser session cookie."),
        ("Operators", "The job system, for operators."),
        ("Service", "Health and the kinds of error the API reports."),
    ];

    public static void AddApiDocument(this IServiceCollection services) => services.AddOpenApi("v1", o =>
    {
        o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "MaterialsDb API",
                Version = "v1",
                Description = "Virtual screening and property prediction for inorganic materials. Every error is RFC 9457 problem details (application/problem+json) whose 'type' is documented at /api/v1/problems. Lists share one envelope (data, meta, links.next) and cursor paging.",
                License = new OpenApiLicense { Name = "Proprietary; data under the licences listed by GET /api/v1/datasets", Identifier = "LicenseRef-MaterialsDb" },
            };
            document.Servers = [new OpenApiServer { Url = "/", Description = "This server" }];
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[AuthSchemes.ApiKey] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeys.Header,
                Description = "An API key (mdb_…) from 'materialsdb keys create'.",
            };
            document.Components.SecuritySchemes[AuthSchemes.Session] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Cookie,
                Name = AuthSetup.SessionCookie,
                Description = "The session cookie from POST /api/v1/session; state-changing requests also send X-CSRF-TOKEN.",
            };
            document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
            return Task.CompletedTask;
        });

        // A result row is an object of any columns (model columns vary by spec): say so, or generators type it as empty.
        o.AddSchemaTransformer((schema, context, _) =>
        {
            // Every problem also carries the trace id (see ProblemSetup).
            if (context.JsonTypeInfo.Type == typeof(Microsoft.AspNetCore.Mvc.ProblemDetails) || context.JsonTypeInfo.Type == typeof(Microsoft.AspNetCore.Http.HttpValidationProblemDetails))
            {
                schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
                schema.Properties["trace_id"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Identifies the request in the service's logs." };
                schema.Description = "RFC 9457 problem details; 'type' is one of GET /api/v1/problems.";
            }

            if (context.JsonTypeInfo.Type == typeof(IReadOnlyDictionary<string, object?>))
            {
                schema.AdditionalProperties = new OpenApiSchema();
                schema.Description = "One ranked candidate: the result columns (see the Parquet file's schema), missing values null.";
            }

            return Task.CompletedTask;
        });

        o.AddOperationTransformer(async (operation, context, ct) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            var document = context.Document!;
            operation.Responses ??= new OpenApiResponses();
            // The framework registers ProblemDetails as a component (endpoints declare ProducesProblem); refer to it.
            var problem = new OpenApiSchemaReference(nameof(Microsoft.AspNetCore.Mvc.ProblemDetails), document);
            OpenApiResponse Problem(string description, bool retryAfter = false) => new()
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = problem } },
                Headers = retryAfter
                    ? new Dictionary<string, IOpenApiHeader> { ["Retry-After"] = new OpenApiHeader { Description = "Seconds to wait before trying again.", Schema = new OpenApiSchema { Type = JsonSchemaType.Integer } } }
                    : null,
            };

            if (metadata.OfType<IAllowAnonymous>().Any())
            {
                // An empty requirement: no credentials needed (and none refused).
                operation.Security = [new OpenApiSecurityRequirement()];
            }
            else
            {
                operation.Security =
                [
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(AuthSchemes.ApiKey, document)] = [] },
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(AuthSchemes.Session, document)] = [] },
                ];
                operation.Responses.TryAdd("401", Problem("No valid API key or session."));
                if (metadata.OfType<IAuthorizeData>().Any(a => a.Policy is Policies.Operator or Policies.Admin))
                {
                    operation.Responses.TryAdd("403", Problem("The caller's role is too low."));
                }
            }

            if (!metadata.OfType<DisableRateLimitingAttribute>().Any())
            {
                operation.Responses["429"] = Problem("Too many requests (per key, or per client address without a key), or too many active screenings.", retryAfter: true);
            }

            if (metadata.OfType<EnableRateLimitingAttribute>().Any(a => a.PolicyName == PredictApi.ConcurrencyPolicy))
            {
                operation.Responses["503"] = Problem("Every prediction slot of this node is busy.", retryAfter: true);
            }

            // Every operation can meet a malformed request; name it so clients handle it.
            operation.Responses.TryAdd("400", Problem("The request is invalid; 'errors' names each field."));

            if (operation.OperationId == "submitScreening")
            {
                var spec = await context.GetOrCreateSchemaAsync(typeof(SpecDocument), null, ct).ConfigureAwait(false);
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = $"A screening spec; its full JSON Schema (with the rules between fields) is at {SpecSchema.Id}.",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/json"] = new() { Schema = spec },
                        ["application/yaml"] = new() { Schema = spec },
                        ["multipart/form-data"] = new()
                        {
                            Schema = new OpenApiSchema
                            {
                                Type = JsonSchemaType.Object,
                                Required = new HashSet<string> { "spec" },
                                Properties = new Dictionary<string, IOpenApiSchema>
                                {
                                    ["spec"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The spec as YAML or JSON; candidates.list names the file part." },
                                    ["candidates"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "A .csv or .parquet candidate list with a 'formula' column." },
                                },
                            },
                        },
                    },
                };
            }
        });
    });
}
