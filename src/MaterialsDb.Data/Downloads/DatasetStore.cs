using System.Net;
using System.Security.Cryptography;
using MaterialsDb.Data.Catalog;

namespace MaterialsDb.Data.Downloads;

/// <summary>
/// The local dataset cache. Files are fetched on first use, checked against the catalog's SHA-256 and only then
/// renamed into place, so every file the cache holds under its final name was verified.
/// </summary>
/// <remarks>
/// A transfer streams into <c>&lt;name&gt;.&lt;random&gt;.partial</c> beside its final path and is renamed atomically.
/// Processes fetching the same file serialise on an exclusive lock on <c>&lt;name&gt;.lock</c>; the second one finds
/// the file in place when it gets the lock.
/// </remarks>
public sealed class DatasetStore
{
    private const int BufferSize = 1 << 16;
    private static readonly TimeSpan LockPollInterval = TimeSpan.FromMilliseconds(100);

    private readonly HttpClient _http;

    /// <summary>Creates a store; <paramref name="http"/> defaults to a shared client.</summary>
    public DatasetStore(DatasetStoreOptions options, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxAttempts, 1);
        Options = options;
        _http = http ?? SharedHttp.Value;
    }

    /// <summary>The settings in force.</summary>
    public DatasetStoreOptions Options { get; }

    private static Lazy<HttpClient> SharedHttp { get; } = new(() => new HttpClient { Timeout = TimeSpan.FromMinutes(10) });

    /// <summary>A store configured from the environment (<c>MATERIALSDB_HOME</c>, <c>MATERIALSDB_MIRROR</c>).</summary>
    public static DatasetStore FromEnvironment() => new(DatasetStoreOptions.FromEnvironment());

    /// <summary>Folder holding the files of <paramref name="dataset"/>.</summary>
    public string DatasetDirectory(DatasetEntry dataset) => Path.Combine(Options.Home, "datasets", dataset.Id);

    /// <summary>Final cache path of one file.</summary>
    public string FilePath(DatasetEntry dataset, DatasetFile file) => Path.Combine(DatasetDirectory(dataset), file.Name);

    /// <summary>True when every file of the dataset is in the cache.</summary>
    public bool IsCached(DatasetEntry dataset) => dataset.Files.All(f => IsCached(dataset, f));

    /// <summary>Fetches every missing file of the dataset; returns its folder.</summary>
    public async Task<string> EnsureAsync(DatasetEntry dataset, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        foreach (var file in dataset.Files)
        {
            await EnsureFileAsync(dataset, file, progress, cancellationToken).ConfigureAwait(false);
        }

        return DatasetDirectory(dataset);
    }

    /// <summary>Path of one file of a dataset, fetching it first if needed.</summary>
    public async Task<string> EnsureFileAsync(DatasetEntry dataset, DatasetFile file, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(file);
        var final = FilePath(dataset, file);
        if (IsCached(dataset, file))
        {
            return final;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        await using var fileLock = await AcquireLockAsync(final + ".lock", cancellationToken).ConfigureAwait(false);

        // Another process may have finished the file while this one waited for the lock.
        if (IsCached(dataset, file))
        {
            return final;
        }

        DeleteLeftovers(final);
        var source = DownloadSource.Resolve(file.Url, Options.Mirror);
        Exception? last = null;
        for (var attempt = 1; attempt <= Options.MaxAttempts; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(Options.InitialBackoff * Math.Pow(2, attempt - 2), cancellationToken).ConfigureAwait(false);
            }

            var temp = $"{final}.{Guid.NewGuid():N}.partial";
            try
            {
                var sha = await CopyVerifiedAsync(dataset, file, source, temp, progress, cancellationToken).ConfigureAwait(false);
                if (sha == file.Sha256)
                {
                    File.Move(temp, final, overwrite: true);
                    return final;
                }

                last = new DatasetIntegrityException(
                    $"Dataset '{dataset.Id}', file '{file.Name}': SHA-256 of the data from {source} is {sha}, but the catalog pins {file.Sha256}. The file was discarded.",
                    source.ToString(),
                    file.Sha256,
                    sha);
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                last = e;
            }
            catch (HttpRequestException e)
            {
                throw new DatasetDownloadException($"Dataset '{dataset.Id}', file '{file.Name}': {e.Message}", source.ToString(), e);
            }
            finally
            {
                TryDelete(temp);
            }
        }

        throw last as DatasetIntegrityException
            ?? new DatasetDownloadException(
                $"Dataset '{dataset.Id}', file '{file.Name}': could not fetch {source} after {Options.MaxAttempts} attempts: {last?.Message}",
                source.ToString(),
                last);
    }

    /// <summary>Re-hashes the cached files of a dataset; returns the names of files that are missing or do not match.</summary>
    public async Task<IReadOnlyList<string>> VerifyAsync(DatasetEntry dataset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var bad = new List<string>();
        foreach (var file in dataset.Files)
        {
            var path = FilePath(dataset, file);
            if (!File.Exists(path))
            {
                bad.Add(file.Name);
                continue;
            }

            await using var stream = File.OpenRead(path);
            var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
            if (hash != file.Sha256)
            {
                bad.Add(file.Name);
            }
        }

        return bad;
    }

    // A cached file was verified before it was renamed in; the size check also catches one truncated by hand.
    private bool IsCached(DatasetEntry dataset, DatasetFile file)
    {
        var info = new FileInfo(FilePath(dataset, file));
        return info.Exists && info.Length == file.Size;
    }

    private async Task<string> CopyVerifiedAsync(DatasetEntry dataset, DatasetFile file, DownloadSource source, string temp, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        await using var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        HttpResponseMessage? response = null;
        try
        {
            Stream input;
            if (source is DownloadSource.FileSource local)
            {
                if (!File.Exists(local.Path))
                {
                    throw new DatasetDownloadException($"Dataset '{dataset.Id}', file '{file.Name}': the mirror has no file at {local.Path}.", local.Path);
                }

                input = new FileStream(local.Path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
            }
            else
            {
                var url = ((DownloadSource.HttpSource)source).Url;
                response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode)
                {
                    throw new HttpRequestException($"{url} answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
                }

                input = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (input.ConfigureAwait(false))
            {
                var buffer = new byte[BufferSize];
                long received = 0;
                int read;
                while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    received += read;
                    progress?.Report(new DownloadProgress(dataset.Id, file.Name, received, file.Size));
                }

                if (received != file.Size)
                {
                    throw new IOException($"received {received} bytes of {file.Size} from {source}");
                }
            }

            // Durable before the rename makes the file visible.
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            output.Flush(flushToDisk: true);
            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        finally
        {
            response?.Dispose();
        }
    }

    private static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        HttpRequestException { StatusCode: { } status } => status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500,
        HttpRequestException => true,
        DatasetDownloadException => false,
        IOException => true,
        _ => false,
    };

    private async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Options.LockTimeout;
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock (flock on Unix), released when the stream closes or the process dies.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(LockPollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Partial files of a process that died mid-transfer; safe to remove while holding the lock.
    private static void DeleteLeftovers(string final)
    {
        foreach (var stale in Directory.EnumerateFiles(Path.GetDirectoryName(final)!, Path.GetFileName(final) + ".*.partial"))
        {
            TryDelete(stale);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover is removed by the next holder of the lock.
        }
    }
}
