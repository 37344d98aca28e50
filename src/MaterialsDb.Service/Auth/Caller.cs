using MaterialsDb.Service.Store;
using Microsoft.AspNetCore.Http;

namespace MaterialsDb.Service.Auth;

/// <summary>Who is calling, as the API key says; set by <see cref="ApiKeyMiddleware"/>.</summary>
public sealed record Caller(string Tenant, Role Role, Guid KeyId)
{
    private const string ItemKey = "materialsdb.caller";

    /// <summary>The caller of an authenticated request.</summary>
    public static Caller Of(HttpContext context) => (Caller)context.Items[ItemKey]!;

    internal void Attach(HttpContext context) => context.Items[ItemKey] = this;
}

/// <summary>
/// Authenticates every <c>/api/v1</c> request except health and the OpenAPI document: a missing, unknown or revoked
/// key is 401 with a JSON error; endpoints that need more than a member check the role themselves (403).
/// </summary>
public sealed class ApiKeyMiddleware(RequestDelegate next, IServiceStore store)
{
    private static readonly string[] Open = ["/api/v1/health", "/api/v1/openapi.json"];

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        if (!path.StartsWith("/api/v1", StringComparison.Ordinal) || Open.Contains(path, StringComparer.Ordinal))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var key = context.Request.Headers[ApiKeys.Header].ToString();
        var record = key.Length is > 0 and < 200 ? await store.FindKeyAsync(ApiKeys.Hash(key), context.RequestAborted).ConfigureAwait(false) : null;
        if (record is null)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsJsonAsync(new { error = key.Length == 0 ? $"missing {ApiKeys.Header} header" : "invalid or revoked API key" }, context.RequestAborted).ConfigureAwait(false);
            return;
        }

        new Caller(record.Tenant, record.Role, record.Id).Attach(context);
        await next(context).ConfigureAwait(false);
    }
}
