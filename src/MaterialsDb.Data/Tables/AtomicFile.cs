using System.Diagnostics;

namespace MaterialsDb.Data.Tables;

/// <summary>
/// Temporary names for files written whole and then renamed into place: <c>&lt;file&gt;.&lt;host&gt;.&lt;pid&gt;.&lt;random&gt;.tmp</c>.
/// A writer deletes its temporary file on every exit path it controls; a process killed outright cannot, so before a
/// new write the leftovers of dead processes of this host are removed (a live process, or another host sharing the
/// folder, is never touched).
/// </summary>
public static class AtomicFile
{
    private static readonly string Host = Sanitize(Environment.MachineName);

    /// <summary>A fresh temporary name beside <paramref name="finalPath"/>, after removing stale ones.</summary>
    public static string TempPathFor(string finalPath)
    {
        ArgumentNullException.ThrowIfNull(finalPath);
        RemoveStale(finalPath);
        return $"{finalPath}.{Host}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
    }

    /// <summary>Deletes temporary files of <paramref name="finalPath"/> left by processes of this host that no longer run.</summary>
    public static void RemoveStale(string finalPath)
    {
        ArgumentNullException.ThrowIfNull(finalPath);
        var folder = Path.GetDirectoryName(Path.GetFullPath(finalPath));
        if (folder is null || !Directory.Exists(folder))
        {
            return;
        }

        var prefix = Path.GetFileName(finalPath) + "." + Host + ".";
        foreach (var file in Directory.EnumerateFiles(folder, Path.GetFileName(finalPath) + ".*.tmp"))
        {
            var name = Path.GetFileName(file);
            if (!name.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = name.AsSpan(prefix.Length);
            var dot = rest.IndexOf('.');
            if (dot > 0 && int.TryParse(rest[..dot], out var pid) && !IsRunning(pid))
            {
                TryDelete(file);
            }
        }
    }

    /// <summary>
    /// Closes a writer of a temporary file that is being thrown away. Closing flushes, and a flush that fails (the disk
    /// that filled up and failed the write, say) must neither hide the write's own error nor keep the file from being
    /// deleted.
    /// </summary>
    public static async ValueTask AbandonAsync(IAsyncDisposable? writer)
    {
        try
        {
            if (writer is not null)
            {
                await writer.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // The file is being deleted.
        }
    }

    /// <inheritdoc cref="AbandonAsync(IAsyncDisposable?)"/>
    public static void Abandon(IDisposable? writer)
    {
        try
        {
            writer?.Dispose();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // The file is being deleted.
        }
    }

    /// <summary>Deletes a file if it exists, ignoring failures (it is only a leftover).</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId)
        {
            return true;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string Sanitize(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '_').ToArray();
        return chars.Length == 0 ? "host" : new string(chars);
    }
}
