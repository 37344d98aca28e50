using System.Globalization;
using MaterialsDb.Screening.Engine;
using Spectre.Console;

namespace MaterialsDb.Cli.Output;

/// <summary>
/// Progress of a screening. On a terminal: one live line (Spectre.Console's live display), cut to the terminal's width
/// with an ellipsis so an 80-column terminal never fills with wrapped lines, at most four updates a second. In logs: a
/// plain line every five seconds and at the end.
/// </summary>
public static class ScreeningProgressView
{
    /// <summary>One progress line: candidates, share, rate, survivors per stage, ETA.</summary>
    public static string Line(ScreeningProgress value, double seconds)
    {
        ArgumentNullException.ThrowIfNull(value);
        var rate = value.Processed / Math.Max(1e-3, seconds);
        var share = value.Total is > 0 ? string.Create(CultureInfo.InvariantCulture, $" / {value.Total:N0} ({100.0 * value.Processed / value.Total:0.0} %)") : string.Empty;
        var eta = value.Total is > 0 && rate > 0 ? $", ETA {TimeSpan.FromSeconds((value.Total.Value - value.Processed) / rate):hh\\:mm\\:ss}" : string.Empty;
        // Survivors per stage after the first (the candidates themselves): "supply risk 1,234 > formation-energy 1,100 > …".
        var stages = value.Stages is { Count: > 1 } st ? " (" + string.Join(" > ", st.Skip(1).Where(x => x.Stage != "features").Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Stage} {x.Passed:N0}"))) + ")" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"screened {value.Processed:N0}{share} at {rate:N0}/s; {value.Survivors:N0} pass{stages}{eta}");
    }

    /// <summary>Runs <paramref name="work"/> showing its progress live on <paramref name="console"/> (a terminal).</summary>
    public static async Task<T> LiveAsync<T>(IAnsiConsole console, Func<IProgress<ScreeningProgress>, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(work);
        T result = default!;
        await console.Live(Render("starting …")).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).StartAsync(async context =>
        {
            result = await work(new ThrottledProgress(250, line =>
            {
                context.UpdateTarget(Render(line));
                context.Refresh();
            })).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return result;
    }

    /// <summary>Progress for logs: a line every five seconds and at the end.</summary>
    public static IProgress<ScreeningProgress> Log(TextWriter error) => new ThrottledProgress(5000, (error ?? throw new ArgumentNullException(nameof(error))).WriteLine);

    private static Text Render(string line) => new(line) { Overflow = Overflow.Ellipsis };

    // Writes a line at most every interval, and always the last one (processed == total).
    private sealed class ThrottledProgress(long intervalMs, Action<string> write) : IProgress<ScreeningProgress>
    {
        private readonly long _start = Environment.TickCount64;
        private long _last;

        public void Report(ScreeningProgress value)
        {
            var now = Environment.TickCount64;
            if (now - _last < intervalMs && value.Processed != value.Total)
            {
                return;
            }

            _last = now;
            write(Line(value, (now - _start) / 1000.0));
        }
    }
}
