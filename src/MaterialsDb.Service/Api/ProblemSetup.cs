using System.Diagnostics;
using System.Text.Json;
using MaterialsDb.Screening.Spec;
using MaterialsDb.Service.Auth;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MaterialsDb.Service.Api;

/// <summary>
/// One error format for everything: our own problems, the framework's (unknown route, 405, 415, malformed JSON, bad
/// parameter types, 413) and unexpected exceptions all become <c>application/problem+json</c> with a type from
/// <see cref="ProblemKind"/>, the request path as <c>instance</c> and a <c>trace_id</c>.
/// </summary>
internal static class ProblemSetup
{
    public static void AddProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var http = context.HttpContext;
            var status = problem.Status ?? http.Response.StatusCode;
            if (problem.Type is not { } type || !type.StartsWith("/api/v1/problems/", StringComparison.Ordinal))
            {
                var kind = ProblemKind.ForStatus(status);
                problem.Type = kind.Type;
                problem.Title = kind.Title;
                problem.Detail ??= status switch
                {
                    StatusCodes.Status404NotFound => $"nothing at {http.Request.Method} {http.Request.Path}",
                    StatusCodes.Status405MethodNotAllowed => $"{http.Request.Path} does not accept {http.Request.Method}",
                    _ => kind.Description,
                };
            }

            problem.Instance ??= http.Request.Path;
            problem.Extensions["trace_id"] = Activity.Current?.Id ?? http.TraceIdentifier;
        });
        services.AddExceptionHandler<ExceptionToProblem>();
    }

    /// <summary>Maps exceptions that escape an endpoint to problems; anything unexpected is a logged 500 without internals.</summary>
    private sealed class ExceptionToProblem(PathRedactor redactor, ILogger<ExceptionToProblem> log) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
        {
            if (http.Response.HasStarted)
            {
                return false;
            }

            switch (exception)
            {
                case OperationCanceledException when http.RequestAborted.IsCancellationRequested:
                    // The client left; nobody reads an answer.
                    http.Response.StatusCode = 499;
                    return true;
                case BadHttpRequestException bad:
                    var kind = bad.StatusCode switch
                    {
                        StatusCodes.Status413PayloadTooLarge => ProblemKind.PayloadTooLarge,
                        StatusCodes.Status415UnsupportedMediaType => ProblemKind.UnsupportedMediaType,
                        _ when bad.InnerException is JsonException => ProblemKind.MalformedBody,
                        _ => ProblemKind.InvalidRequest,
                    };
                    await Problems.WriteAsync(http, kind, Detail(bad), kind == ProblemKind.InvalidRequest && Parameter(bad.Message) is { } field ? [new FieldProblem(field, bad.Message)] : null).ConfigureAwait(false);
                    return true;
                case SpecException spec:
                    await Problems.WriteAsync(http, ProblemKind.InvalidSpec, redactor.Redact(spec.Message), spec.Problems.Select(p => p with { Message = redactor.Redact(p.Message) })).ConfigureAwait(false);
                    return true;
                case Database.EntryNotFoundException missing:
                    await Problems.WriteAsync(http, ProblemKind.NotFound, missing.Message).ConfigureAwait(false);
                    return true;
                case Database.EntryForbiddenException forbidden:
                    await Problems.WriteAsync(http, ProblemKind.NotOwner, forbidden.Message).ConfigureAwait(false);
                    return true;
                case Database.EntryConflictException conflict:
                    await Problems.WriteAsync(http, ProblemKind.Conflict, conflict.Message).ConfigureAwait(false);
                    return true;
                case Database.ContributionException refused:
                    await Problems.WriteAsync(http, ProblemKind.InvalidContribution, refused.Message, refused.Problems).ConfigureAwait(false);
                    return true;
                case MaterialsDbException user:
                    await Problems.WriteAsync(http, ProblemKind.InvalidRequest, redactor.Redact(user.Message), user.Problems.Count > 0 ? user.Problems.Select(p => p with { Message = redactor.Redact(p.Message) }) : null).ConfigureAwait(false);
                    return true;
                case AntiforgeryValidationException:
                    await Problems.WriteAsync(http, ProblemKind.CsrfFailed, "the anti-forgery token is missing or invalid").ConfigureAwait(false);
                    return true;
                case Npgsql.NpgsqlException or TimeoutException:
                    log.LogError(exception, "A backing service failed during {Method} {Path}.", http.Request.Method, http.Request.Path);
                    Problems.RetryAfter(http, TimeSpan.FromSeconds(5));
                    await Problems.WriteAsync(http, ProblemKind.Unavailable, "the database or job queue is not reachable right now; try again shortly").ConfigureAwait(false);
                    return true;
                default:
                    log.LogError(exception, "Unhandled error during {Method} {Path}.", http.Request.Method, http.Request.Path);
                    await Problems.WriteAsync(http, ProblemKind.Internal, $"an internal error occurred; report trace id {Activity.Current?.Id ?? http.TraceIdentifier}").ConfigureAwait(false);
                    return true;
            }
        }

        // 'Failed to bind parameter "Nullable<int> limit" from "abc".' names the parameter last inside the quotes.
        private static string? Parameter(string message) =>
            System.Text.RegularExpressions.Regex.Match(message, "parameter \"[^\"]*?(\\w+)\"", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromMilliseconds(50)) is { Success: true } m ? m.Groups[1].Value : null;

        // The framework's messages name the parameter; a JSON error adds where reading stopped.
        private static string Detail(BadHttpRequestException bad) =>
            bad.InnerException is JsonException json ? $"{bad.Message} {json.Message}" : bad.Message;
    }
}

/// <summary>
/// Cross-site request forgery protection for cookie sessions: a state-changing request authenticated by the session
/// cookie must carry the anti-forgery token (header <c>X-CSRF-TOKEN</c>, from <c>GET /api/v1/session</c>). Requests
/// with an API key carry no ambient credentials and need none.
/// </summary>
internal sealed class CsrfFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var method = http.Request.Method;
        if (!(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method))
            && http.User.Identity?.AuthenticationType == AuthSchemes.Session
            && !await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http).ConfigureAwait(false))
        {
            return Problems.Result(ProblemKind.CsrfFailed, "send the X-CSRF-TOKEN header from GET /api/v1/session with requests that change state");
        }

        return await next(context).ConfigureAwait(false);
    }
}
