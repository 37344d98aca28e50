using MaterialsDb.Service.Store;

namespace MaterialsDb.Service.Jobs;

/// <summary>
/// Runs beside a job: cancels it within a poll interval once its screening is final (cancelled by the tenant, or failed
/// by another chunk), and marks the screening alive now and then.
/// </summary>
internal sealed class ScreeningWatch : IAsyncDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private ScreeningWatch(IServiceStore store, Guid id, CancellationTokenSource cancel) => _loop = WatchAsync(store, id, cancel, _stop.Token);

    /// <summary>Starts watching screening <paramref name="id"/>; <paramref name="cancel"/> is cancelled when it becomes final.</summary>
    public static ScreeningWatch Start(IServiceStore store, Guid id, CancellationTokenSource cancel) => new(store, id, cancel);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private static async Task WatchAsync(IServiceStore store, Guid id, CancellationTokenSource cancel, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(Poll);
        var lastBeat = DateTime.UtcNow;
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                try
                {
                    if (await store.GetScreeningAsync(id, stop).ConfigureAwait(false) is { } s && States.IsFinal(s.State))
                    {
                        await cancel.CancelAsync().ConfigureAwait(false);
                        return;
                    }

                    if (DateTime.UtcNow - lastBeat > Heartbeat)
                    {
                        await store.TouchAsync(id, stop).ConfigureAwait(false);
                        lastBeat = DateTime.UtcNow;
                    }
                }
                catch (Exception e) when (e is Npgsql.NpgsqlException or IOException or TimeoutException)
                {
                    // The database blinked: the next tick tries again.
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
