using System.Security.Cryptography;
using System.Text;
using MaterialsDb.Service.Store;

namespace MaterialsDb.Service.Auth;

/// <summary>API keys: 32 random bytes shown once as <c>mdb_…</c>; only their SHA-256 is stored.</summary>
public static class ApiKeys
{
    /// <summary>The request header carrying the key.</summary>
    public const string Header = "X-Api-Key";

    /// <summary>Creates and stores a key; returns the record and the key text (never stored).</summary>
    public static async Task<(ApiKeyRecord Record, string Key)> CreateAsync(IServiceStore store, string tenant, Role role, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (string.IsNullOrWhiteSpace(tenant) || tenant.Length > 100 || tenant.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new InvalidOptionException($"Tenant '{tenant}' must be 1-100 letters, digits, '-', '_' or '.'.");
        }

        var key = "mdb_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var record = new ApiKeyRecord(Guid.NewGuid(), tenant, role, Hash(key), DateTimeOffset.UtcNow, false);
        await store.AddKeyAsync(record, cancellationToken).ConfigureAwait(false);
        return (record, key);
    }

    /// <summary>SHA-256 (lowercase hex) of a key's text.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
