using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace MaterialsDb.Service.Api;

/// <summary>Opaque page cursors (base64url) and the <c>links.next</c> URL that carries them.</summary>
internal static class Cursors
{
    /// <summary>A keyset cursor: the (created, id) of the last item of a page.</summary>
    public static string EncodeKeyset(DateTimeOffset created, Guid id) =>
        WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"k:{created.UtcTicks}:{id:N}")));

    public static bool TryDecodeKeyset(string cursor, out (DateTimeOffset Created, Guid Id) value)
    {
        value = default;
        var parts = Decode(cursor)?.Split(':');
        if (parts is ["k", var ticksText, var idText] && long.TryParse(ticksText, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks && Guid.TryParseExact(idText, "N", out var id))
        {
            value = (new DateTimeOffset(ticks, TimeSpan.Zero), id);
            return true;
        }

        return false;
    }

    /// <summary>An offset cursor: how many items the next page skips.</summary>
    public static string EncodeOffset(int offset) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"o:{offset}")));

    public static bool TryDecodeOffset(string cursor, out int offset)
    {
        offset = 0;
        return Decode(cursor)?.Split(':') is ["o", var text] && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out offset);
    }

    /// <summary>The current request's URL with <c>cursor</c> replaced: the next page of the same query.</summary>
    public static string NextLink(HttpContext http, string cursor)
    {
        ArgumentNullException.ThrowIfNull(http);
        var query = QueryHelpers.ParseQuery(http.Request.QueryString.Value).Where(q => q.Key != "cursor")
            .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
            .Append(new KeyValuePair<string, string?>("cursor", cursor));
        return QueryHelpers.AddQueryString(http.Request.PathBase + http.Request.Path, query);
    }

    private static string? Decode(string cursor)
    {
        if (cursor.Length is 0 or > 200)
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(cursor));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
