using Microsoft.AspNetCore.Http;

namespace MaterialsDb.Service.Api;

/// <summary>
/// The kinds of problem the API reports (RFC 9457 problem details): one registry, so every error of every endpoint —
/// the framework's own included — has a stable <c>type</c> a client can switch on, documented at
/// <c>GET /api/v1/problems/{slug}</c>.
/// </summary>
/// <param name="Slug">The last segment of the type URI.</param>
/// <param name="Status">HTTP status.</param>
/// <param name="Title">Short, fixed summary.</param>
/// <param name="Description">What it means and what to do.</param>
public sealed record ProblemKind(string Slug, int Status, string Title, string Description)
{
    public static readonly ProblemKind InvalidRequest = new("invalid-request", StatusCodes.Status400BadRequest, "The request is invalid",
        "A parameter or body field is missing, malformed or out of range; 'errors' names each field and what is wrong with it.");

    public static readonly ProblemKind InvalidSpec = new("invalid-spec", StatusCodes.Status400BadRequest, "The screening spec is invalid",
        "The spec (YAML or JSON, see /api/v1/schemas/screening-spec.json) cannot be run; 'errors' names every problem by its field path.");

    public static readonly ProblemKind MalformedBody = new("malformed-body", StatusCodes.Status400BadRequest, "The request body cannot be read",
        "The body is not valid JSON, YAML or multipart data; 'detail' says where reading stopped.");

    public static readonly ProblemKind SpaceTooLarge = new("space-too-large", StatusCodes.Status400BadRequest, "The candidate space is too large",
        "The space has more candidates than this service screens in one job; narrow the palette, n_elements, max_coefficient or max_atoms.");

    public static readonly ProblemKind Unauthenticated = new("unauthenticated", StatusCodes.Status401Unauthorized, "Authentication is required",
        "Send a valid API key in the X-Api-Key header, or sign in (POST /api/v1/session) and send the session cookie.");

    public static readonly ProblemKind Forbidden = new("forbidden", StatusCodes.Status403Forbidden, "The caller's role does not allow this",
        "The operation needs the operator or admin role; ask an administrator for a key with that role.");

    public static readonly ProblemKind NotOwner = new("not-owner", StatusCodes.Status403Forbidden, "Only the owner may change this",
        "The entry belongs to another tenant: only its owner may revise, retract or re-scope it, and only operators may publish to public.");

    public static readonly ProblemKind InvalidContribution = new("invalid-contribution", StatusCodes.Status400BadRequest, "The contribution was refused",
        "Nothing was stored: 'errors' names every bad row and field ('row 12: e_form_per_atom'); fix them and send the whole batch again.");

    public static readonly ProblemKind CsrfFailed = new("csrf-failed", StatusCodes.Status400BadRequest, "The anti-forgery token is missing or invalid",
        "Requests that change state with a session cookie must send the X-CSRF-TOKEN header from GET /api/v1/session (API keys need none).");

    public static readonly ProblemKind NotFound = new("not-found", StatusCodes.Status404NotFound, "Not found",
        "There is no such resource, or it belongs to another tenant (which is reported the same way).");

    public static readonly ProblemKind MethodNotAllowed = new("method-not-allowed", StatusCodes.Status405MethodNotAllowed, "The method is not allowed here",
        "The resource exists but does not accept this HTTP method; see the OpenAPI document for the allowed ones.");

    public static readonly ProblemKind Conflict = new("conflict", StatusCodes.Status409Conflict, "The resource is not in a state that allows this",
        "For example, results exist only once a screening has succeeded, a finished screening cannot be cancelled, an entry changed since it was read, or an Idempotency-Key came with another body.");

    public static readonly ProblemKind PayloadTooLarge = new("payload-too-large", StatusCodes.Status413PayloadTooLarge, "The request body is too large",
        "Bodies are limited (specs and predict requests to 1 MB, uploads to 256 MB by default); upload long candidate lists as a file.");

    public static readonly ProblemKind UnsupportedMediaType = new("unsupported-media-type", StatusCodes.Status415UnsupportedMediaType, "The body's media type is not accepted",
        "Send the Content-Type the operation documents (application/json, application/yaml or multipart/form-data).");

    public static readonly ProblemKind TooManyActiveScreenings = new("too-many-active-screenings", StatusCodes.Status429TooManyRequests, "The tenant has too many active screenings",
        "Wait until one finishes (or cancel one), then submit again; Retry-After suggests when to try.");

    public static readonly ProblemKind RateLimited = new("rate-limited", StatusCodes.Status429TooManyRequests, "Too many requests",
        "The caller's requests per minute are used up; Retry-After says when the window resets.");

    public static readonly ProblemKind Busy = new("busy", StatusCodes.Status503ServiceUnavailable, "The node is busy",
        "Every slot for this kind of synchronous work is taken; retry after the seconds in Retry-After.");

    public static readonly ProblemKind Unavailable = new("unavailable", StatusCodes.Status503ServiceUnavailable, "A backing service is unavailable",
        "The job queue, database or a model package cannot be reached right now; an operator has the details in the log.");

    public static readonly ProblemKind Internal = new("internal", StatusCodes.Status500InternalServerError, "Internal error",
        "A bug: nothing about the request explains it. Report the trace_id to an operator.");

    /// <summary>Every kind, for the docs endpoint.</summary>
    public static IReadOnlyList<ProblemKind> All { get; } =
    [
        InvalidRequest, InvalidSpec, InvalidContribution, MalformedBody, SpaceTooLarge, Unauthenticated, Forbidden, NotOwner, CsrfFailed, NotFound, MethodNotAllowed, Conflict,
        PayloadTooLarge, UnsupportedMediaType, TooManyActiveScreenings, RateLimited, Busy, Unavailable, Internal,
    ];

    /// <summary>The type URI (relative to the server).</summary>
    public string Type => "/api/v1/problems/" + Slug;

    /// <summary>The kind the framework's own errors of a status map to.</summary>
    public static ProblemKind ForStatus(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => Unauthenticated,
        StatusCodes.Status403Forbidden => Forbidden,
        StatusCodes.Status404NotFound => NotFound,
        StatusCodes.Status405MethodNotAllowed => MethodNotAllowed,
        StatusCodes.Status409Conflict => Conflict,
        StatusCodes.Status413PayloadTooLarge => PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType,
        StatusCodes.Status429TooManyRequests => RateLimited,
        StatusCodes.Status503ServiceUnavailable => Unavailable,
        >= 500 => Internal,
        _ => InvalidRequest,
    };
}
