using System.Security.Cryptography;
using System.Text;
using MaterialsDb.Service.Store;

namespace MaterialsDb.Service.Auth;

/// <summary>API keys: 32 random bytes shown once as <c>mdb_…</c> (47 characters); only their SHA-256 is stored.</summary>
public static class ApiKeys
{
    /// <summary>The request header carrying the key.</summary>
    public const string Header = "X-Api-Key";

    private const string Prefix = "mdb_";
    private const int Length = 47;

    /// <summary>Creates and stores a key; returns the record and the key text (never stored).</summary>
    /// <exception cref="InvalidOptionException">The tenant name is not 1–100 letters, digits, '-', '_' or '.'.</exception>
    public static async Task<(ApiKeyRecord Record, string Key)> CreateAsync(IServiceStore store, string tenant, Role role, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (string.IsNullOrWhiteSpace(tenant) || tenant.Length > 100 || tenant.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new InvalidOptionException($"Tenant '{tenant}' must be 1-100 letters, digits, '-', '_' or '.'.");
        }

        var key = Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var record = new ApiKeyRecord(Guid.NewGuid(), tenant, role, Hash(key), DateTimeOffset.UtcNow, false);
        await store.AddKeyAsync(record, cancellationToken).ConfigureAwait(false);
        return (record, key);
    }

    /// <summary>True for text shaped like a key this service issues; anything else is refused without a lookup.</summary>
    public static bool IsWellFormed(string? key) =>
        key is { Length: Length } && key.StartsWith(Prefix, StringComparison.Ordinal) && key.AsSpan(Prefix.Length).IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") < 0;

    /// <summary>SHA-256 (lowercase hex) of a key's text.</summary>
    public static string Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }
}
