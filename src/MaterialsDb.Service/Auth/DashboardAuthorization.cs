using Hangfire.Dashboard;
using MaterialsDb.Service.Store;

namespace MaterialsDb.Service.Auth;

/// <summary>The Hangfire dashboard is for operators: an operator or admin key in the X-Api-Key header or the <c>key</c> query parameter.</summary>
public sealed class DashboardAuthorization(IServiceStore store) : IDashboardAsyncAuthorizationFilter
{
    public async Task<bool> AuthorizeAsync(DashboardContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.GetHttpContext();
        var key = http.Request.Headers[ApiKeys.Header].ToString() is { Length: > 0 } h ? h : http.Request.Query["key"].ToString();
        return key.Length > 0 && await store.FindKeyAsync(ApiKeys.Hash(key)).ConfigureAwait(false) is { Role: Role.Operator or Role.Admin };
    }
}
