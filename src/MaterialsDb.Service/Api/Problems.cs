using Microsoft.AspNetCore.Http;

namespace MaterialsDb.Service.Api;

/// <summary>Writes problem details (<c>application/problem+json</c>) of a <see cref="ProblemKind"/>.</summary>
internal static class Problems
{
    /// <summary>A problem result; with <paramref name="errors"/>, a validation problem whose <c>errors</c> maps field paths to messages.</summary>
    public static IResult Result(ProblemKind kind, string detail, IEnumerable<FieldProblem>? errors = null)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (errors is null)
        {
            return TypedResults.Problem(detail, statusCode: kind.Status, title: kind.Title, type: kind.Type);
        }

        var byField = errors.GroupBy(e => e.Field, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal);
        return TypedResults.Problem(new HttpValidationProblemDetails(byField) { Status = kind.Status, Title = kind.Title, Type = kind.Type, Detail = detail });
    }

    /// <summary>One field's problem as a validation problem.</summary>
    public static IResult Invalid(string field, string message, ProblemKind? kind = null) =>
        Result(kind ?? ProblemKind.InvalidRequest, $"{field}: {message}", [new FieldProblem(field, message)]);

    /// <summary>Writes a problem to the response now (middleware, authentication handlers).</summary>
    public static Task WriteAsync(HttpContext http, ProblemKind kind, string detail, IEnumerable<FieldProblem>? errors = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        return Result(kind, detail, errors).ExecuteAsync(http);
    }

    /// <summary>Adds <c>Retry-After</c> (whole seconds, at least 1) to the response.</summary>
    public static void RetryAfter(HttpContext http, TimeSpan after)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
