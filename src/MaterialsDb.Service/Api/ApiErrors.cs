using Microsoft.AspNetCore.Http;

namespace MaterialsDb.Service.Api;

/// <summary>JSON error bodies: <c>{"error": "...", "problems": ["field: ..."]}</c>.</summary>
internal static class ApiErrors
{
    public static IResult BadRequest(string error, IEnumerable<string>? problems = null) =>
        Results.Json(new { error, problems = problems?.ToArray() ?? [] }, statusCode: StatusCodes.Status400BadRequest);

    // Another tenant's screening is reported exactly like a missing one.
    public static IResult NotFound(string what) => Results.Json(new { error = $"{what} not found" }, statusCode: StatusCodes.Status404NotFound);

    public static IResult Conflict(string error) => Results.Json(new { error }, statusCode: StatusCodes.Status409Conflict);

    public static IResult Forbidden(string error) => Results.Json(new { error }, statusCode: StatusCodes.Status403Forbidden);

    public static IResult TooMany(string error) => Results.Json(new { error }, statusCode: StatusCodes.Status429TooManyRequests);
}
