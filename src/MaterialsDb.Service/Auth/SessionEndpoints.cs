using System.Net;
using MaterialsDb.Service.Api;
using MaterialsDb.Service.Store;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MaterialsDb.Service.Auth;

/// <summary>
/// Sessions: an API key is exchanged once for an HttpOnly, SameSite=Strict cookie (Secure under HTTPS), so a browser
/// never carries the key in a URL. JSON for scripts and the web application (<c>/api/v1/session</c>), and a plain
/// sign-in form (<c>/signin</c>) that the Hangfire dashboard redirects to.
/// </summary>
internal static class SessionEndpoints
{
    public static void MapApi(RouteGroupBuilder api)
    {
        var session = api.MapGroup("/session").WithTags("Session");
        session.MapPost("/", SignInAsync).WithName("createSession").AllowAnonymous()
            .WithSummary("Exchange an API key for a session cookie")
            .WithDescription("Answers the session and the anti-forgery token that state-changing requests with the cookie must send as X-CSRF-TOKEN.")
            .Accepts<SessionRequest>("application/json").Produces<SessionInfo>()
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status401Unauthorized);
        session.MapGet("/", (HttpContext http, IAntiforgery antiforgery) => TypedResults.Ok(Info(http, antiforgery))).WithName("getSession")
            .WithSummary("The signed-in caller and a fresh anti-forgery token").Produces<SessionInfo>();
        session.MapDelete("/", async (HttpContext http) =>
        {
            await http.SignOutAsync(AuthSchemes.Session).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).WithName("deleteSession").WithSummary("Sign out: the cookie is cleared");
    }

    public static void MapPages(IEndpointRouteBuilder app)
    {
        app.MapGet("/signin", (HttpContext http, IAntiforgery antiforgery, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "return_url")] string? returnUrl) => Page(http, antiforgery, LocalOrRoot(returnUrl), null))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/signin", SignInFormAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/signout", async (HttpContext http) =>
        {
            await http.SignOutAsync(AuthSchemes.Session).ConfigureAwait(false);
            return Results.Redirect("/signin");
        }).AllowAnonymous().ExcludeFromDescription();
    }

    private static async Task<IResult> SignInAsync(SessionRequest request, HttpContext http, IServiceStore store, IAntiforgery antiforgery, ServiceOptions options)
    {
        if (request.ApiKey is not { Length: > 0 } key)
        {
            return Problems.Invalid("api_key", "is required");
        }

        if (!ApiKeys.IsWellFormed(key) || await store.FindKeyAsync(ApiKeys.Hash(key), http.RequestAborted).ConfigureAwait(false) is not { } record)
        {
            return Problems.Result(ProblemKind.Unauthenticated, "invalid or revoked API key");
        }

        var principal = await StartAsync(http, record, options).ConfigureAwait(false);
        http.User = principal;
        return TypedResults.Ok(Info(http, antiforgery));
    }

    private static async Task<IResult> SignInFormAsync(HttpContext http, IServiceStore store, IAntiforgery antiforgery, ServiceOptions options)
    {
        if (!await antiforgery.IsRequestValidAsync(http).ConfigureAwait(false))
        {
            return Page(http, antiforgery, "/", "The form expired; please sign in again.", StatusCodes.Status400BadRequest);
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted).ConfigureAwait(false);
        var key = form["api_key"].ToString().Trim();
        var returnUrl = LocalOrRoot(form["return_url"].ToString());
        if (!ApiKeys.IsWellFormed(key) || await store.FindKeyAsync(ApiKeys.Hash(key), http.RequestAborted).ConfigureAwait(false) is not { } record)
        {
            return Page(http, antiforgery, returnUrl, "That key is not valid (or it was revoked).", StatusCodes.Status401Unauthorized);
        }

        await StartAsync(http, record, options).ConfigureAwait(false);
        return Results.Redirect(returnUrl);
    }

    private static async Task<System.Security.Claims.ClaimsPrincipal> StartAsync(HttpContext http, ApiKeyRecord record, ServiceOptions options)
    {
        var principal = Caller.Principal(record, AuthSchemes.Session);
        await http.SignInAsync(AuthSchemes.Session, principal, new AuthenticationProperties
        {
            IsPersistent = false,
            ExpiresUtc = DateTimeOffset.UtcNow + options.SessionLifetime,
            AllowRefresh = false,
        }).ConfigureAwait(false);
        return principal;
    }

    private static SessionInfo Info(HttpContext http, IAntiforgery antiforgery)
    {
        var caller = Caller.Of(http);
        var expires = http.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Properties?.ExpiresUtc;
        var csrf = http.User.Identity?.AuthenticationType == AuthSchemes.Session ? antiforgery.GetAndStoreTokens(http).RequestToken : null;
        return new SessionInfo(caller.Tenant, caller.Role.ToString().ToLowerInvariant(), caller.KeyId, expires, csrf);
    }

    // Only a path on this site: never //host or a scheme (an open redirect).
    private static string LocalOrRoot(string? url) =>
        url is { Length: > 0 and < 2000 } && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl) ? url : "/";

    private static IResult Page(HttpContext http, IAntiforgery antiforgery, string returnUrl, string? error, int status = StatusCodes.Status200OK)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var message = error is null ? string.Empty : $"<p role=\"alert\" class=\"error\">{WebUtility.HtmlEncode(error)}</p>";
        var html = $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Sign in · MaterialsDb</title><link rel="icon" href="/app/favicon.svg" type="image/svg+xml">
            <style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}label{display:block;margin:.5rem 0 .25rem}input{width:100%;padding:.5rem;box-sizing:border-box}button{margin-top:1rem;padding:.5rem 1.5rem}.error{color:#a00;font-weight:600}</style>
            </head><body><main>
            <h1>Sign in to MaterialsDb</h1>
            {{message}}
            <form method="post" action="/signin">
            <input type="hidden" name="{{WebUtility.HtmlEncode(tokens.FormFieldName)}}" value="{{WebUtility.HtmlEncode(tokens.RequestToken)}}">
            <input type="hidden" name="return_url" value="{{WebUtility.HtmlEncode(returnUrl)}}">
            <label for="api_key">API key</label>
            <input id="api_key" name="api_key" type="password" autocomplete="off" required aria-describedby="hint">
            <p id="hint">The key your administrator gave you (<code>mdb_…</code>). It is exchanged for a session cookie and never stored by the browser.</p>
            <button type="submit">Sign in</button>
            </form></main></body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
