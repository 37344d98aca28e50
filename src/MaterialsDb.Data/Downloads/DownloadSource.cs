namespace MaterialsDb.Data.Downloads;

/// <summary>
/// Where a catalog URL is actually read from. <c>MATERIALSDB_MIRROR</c> replaces the <c>https://</c> prefix of every URL:
/// with a folder (or <c>file://</c> URL) the file is read from <c>&lt;folder&gt;/&lt;host&gt;/&lt;path&gt;</c>; with an
/// <c>http(s)://</c> base it is fetched from <c>&lt;base&gt;/&lt;host&gt;/&lt;path&gt;</c>.
/// </summary>
public abstract record DownloadSource
{
    /// <summary>Reads the catalog URL itself, or its mirror copy when <paramref name="mirror"/> is set.</summary>
    public static DownloadSource Resolve(Uri url, string? mirror)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (string.IsNullOrWhiteSpace(mirror))
        {
            return new HttpSource(url);
        }

        mirror = mirror.Trim();
        if (mirror.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || mirror.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return new HttpSource(new Uri($"{mirror.TrimEnd('/')}/{url.Host}{url.AbsolutePath}"));
        }

        var folder = mirror.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(mirror).LocalPath : mirror;
        var relative = Uri.UnescapeDataString(url.AbsolutePath).TrimStart('/');
        return new FileSource(Path.GetFullPath(Path.Combine(folder, url.Host, relative)));
    }

    /// <summary>A URL fetched over HTTP(S).</summary>
    public sealed record HttpSource(Uri Url) : DownloadSource
    {
        /// <inheritdoc />
        public override string ToString() => Url.ToString();
    }

    /// <summary>A file in a local mirror folder.</summary>
    public sealed record FileSource(string Path) : DownloadSource
    {
        /// <inheritdoc />
        public override string ToString() => Path;
    }
}
