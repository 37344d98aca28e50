using System.Security.Claims;
using MaterialsDb.Service.Store;
using Microsoft.AspNetCore.Http;

namespace MaterialsDb.Service.Auth;

/// <summary>Who is calling: the tenant, role and key id the authentication handler or session put in the user's claims.</summary>
public sealed record Caller(string Tenant, Role Role, Guid KeyId)
{
    /// <summary>Claim holding the tenant.</summary>
    public const string TenantClaim = "mdb:tenant";

    /// <summary>Claim holding the key id.</summary>
    public const string KeyClaim = "mdb:key";

    /// <summary>The caller of an authenticated request.</summary>
    /// <exception cref="InvalidOperationException">The endpoint allowed anonymous callers; use <see cref="TryOf"/>.</exception>
    public static Caller Of(HttpContext context) => TryOf(context) ?? throw new InvalidOperationException("The request is not authenticated; the endpoint must require authorization.");

    /// <summary>The caller, or null when the request is anonymous.</summary>
    public static Caller? TryOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var user = context.User;
        return user.Identity?.IsAuthenticated == true
            && user.FindFirstValue(TenantClaim) is { } tenant
            && Enum.TryParse<Role>(user.FindFirstValue(ClaimTypes.Role), ignoreCase: true, out var role)
            && Guid.TryParse(user.FindFirstValue(KeyClaim), out var key)
            ? new Caller(tenant, role, key)
            : null;
    }

    /// <summary>The principal for a key, authenticated by <paramref name="scheme"/>.</summary>
    public static ClaimsPrincipal Principal(ApiKeyRecord key, string scheme)
    {
        ArgumentNullException.ThrowIfNull(key);
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, key.Id.ToString()),
                new Claim(ClaimTypes.Name, key.Tenant),
                new Claim(TenantClaim, key.Tenant),
                new Claim(KeyClaim, key.Id.ToString()),
                new Claim(ClaimTypes.Role, key.Role.ToString().ToLowerInvariant()),
            ],
            scheme);
        return new ClaimsPrincipal(identity);
    }
}
