using System.Text.Encodings.Web;
using MaterialsDb.Service.Api;
using MaterialsDb.Service.Store;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MaterialsDb.Service.Auth;

/// <summary>
/// Authenticates the <c>X-Api-Key</c> header. No header: no result (another scheme or a 401 follows). A malformed,
/// unknown or revoked key fails; a challenge answers 401 and a forbidden role 403, both as problem details.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IServiceStore store, KeyLookupGuard guard)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(ApiKeys.Header, out var values))
        {
            return AuthenticateResult.NoResult();
        }

        var key = values.ToString();
        if (values.Count != 1 || !ApiKeys.IsWellFormed(key))
        {
            return AuthenticateResult.Fail($"the {ApiKeys.Header} header does not hold an API key (mdb_ and 43 characters)");
        }

        var hash = ApiKeys.Hash(key);
        var client = Context.Connection.RemoteIpAddress;
        if (guard.IsKnownBad(hash) || !guard.TryStartLookup(client))
        {
            return AuthenticateResult.Fail("invalid or revoked API key");
        }

        var record = await store.FindKeyAsync(hash, Context.RequestAborted).ConfigureAwait(false);
        if (record is null)
        {
            guard.RecordFailure(hash, client);
            return AuthenticateResult.Fail("invalid or revoked API key");
        }

        return AuthenticateResult.Success(new AuthenticationTicket(Caller.Principal(record, Scheme.Name), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        Response.Headers.WWWAuthenticate = $"ApiKey header=\"{ApiKeys.Header}\"";
        var detail = result.Failure?.Message ?? $"send an API key in the {ApiKeys.Header} header (or sign in for a session)";
        await Problems.WriteAsync(Context, ProblemKind.Unauthenticated, detail).ConfigureAwait(false);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Problems.WriteAsync(Context, ProblemKind.Forbidden, $"this operation needs a higher role than '{Caller.TryOf(Context)?.Role.ToString().ToLowerInvariant() ?? "anonymous"}'");
}
