using MaterialsDb.Service.Store;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MaterialsDb.Service.Auth;

/// <summary>
/// Authentication and authorization with the framework: an API-key handler and a cookie session, selected per request
/// by policy schemes, and one policy per role. Endpoints name their policy; the fallback policy makes every endpoint
/// that names none require a member, so a new endpoint is protected unless it says otherwise.
/// </summary>
internal static class AuthSetup
{
    /// <summary>Name of the session cookie.</summary>
    public const string SessionCookie = "mdb_session";

    public static void AddMaterialsDbAuth(this IServiceCollection services, ServiceOptions options)
    {
        // Session cookies must be readable by every API node of a cluster: the key ring lives in the shared results folder.
        services.AddDataProtection().SetApplicationName("MaterialsDb").PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(options.ResultsFolder, ".keys")));
        services.AddAntiforgery(o =>
        {
            o.HeaderName = "X-CSRF-TOKEN";
            o.Cookie.Name = "mdb_csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddSingleton<KeyLookupGuard>();
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = AuthSchemes.Api;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(AuthSchemes.ApiKey, null)
            .AddCookie(AuthSchemes.Session, o =>
            {
                o.Cookie.Name = SessionCookie;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = options.SessionLifetime;
                o.SlidingExpiration = false;
                o.LoginPath = "/signin";
                o.AccessDeniedPath = "/signin";
                o.ReturnUrlParameter = "return_url";
                o.Events = new CookieAuthenticationEvents
                {
                    // A revoked key ends its sessions at their next request.
                    OnValidatePrincipal = async context =>
                    {
                        var store = context.HttpContext.RequestServices.GetRequiredService<IServiceStore>();
                        if (!Guid.TryParse(context.Principal?.FindFirst(Caller.KeyClaim)?.Value, out var id) || await store.GetKeyAsync(id, context.HttpContext.RequestAborted).ConfigureAwait(false) is null)
                        {
                            context.RejectPrincipal();
                            await context.HttpContext.SignOutAsync(AuthSchemes.Session).ConfigureAwait(false);
                        }
                    },
                };
            })
            .AddPolicyScheme(AuthSchemes.Api, "API key or session", o =>
            {
                o.ForwardDefaultSelector = SelectScheme;
                o.ForwardChallenge = AuthSchemes.ApiKey;
                o.ForwardForbid = AuthSchemes.ApiKey;
            })
            .AddPolicyScheme(AuthSchemes.Browser, "Session, or an API key from scripts", o => o.ForwardDefaultSelector = SelectScheme);

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Member, p => p.AddAuthenticationSchemes(AuthSchemes.Api).RequireAuthenticatedUser())
            .AddPolicy(Policies.Operator, p => p.AddAuthenticationSchemes(AuthSchemes.Api).RequireRole("operator", "admin"))
            .AddPolicy(Policies.Admin, p => p.AddAuthenticationSchemes(AuthSchemes.Api).RequireRole("admin"))
            .AddPolicy(Policies.WebMember, p => p.AddAuthenticationSchemes(AuthSchemes.Browser).RequireAuthenticatedUser())
            .AddPolicy(Policies.WebOperator, p => p.AddAuthenticationSchemes(AuthSchemes.Browser).RequireRole("operator", "admin"))
            .AddPolicy(Policies.Dashboard, p => p.AddAuthenticationSchemes(AuthSchemes.Browser).RequireRole("admin"))
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder(AuthSchemes.Api).RequireAuthenticatedUser().Build());
    }

    // A key header wins; a browser without one is read from its session cookie.
    private static string SelectScheme(HttpContext http) => http.Request.Headers.ContainsKey(ApiKeys.Header) ? AuthSchemes.ApiKey : AuthSchemes.Session;
}
