using MaterialsDb.Chemistry;

namespace MaterialsDb.Training.Discovery;

/// <summary>The leave-out splits of the discovery protocol: which rows are held out. Seeded, so reruns agree.</summary>
public static class HoldOutSplits
{
    /// <summary>Smallest number of elements of a chemical system the system split holds out.</summary>
    public const int MinSystemElements = 3;

    /// <summary>A seeded random <paramref name="fraction"/> of the rows (at least one, never all).</summary>
    public static bool[] Random(int rows, double fraction, int seed)
    {
        Check(fraction);
        var order = Enumerable.Range(0, rows).ToArray();
        new Random(seed).Shuffle(order);
        var held = new bool[rows];
        foreach (var i in order.AsSpan(0, Count(rows, fraction)))
        {
            held[i] = true;
        }

        return held;
    }

    /// <summary>
    /// Every row of a seeded random <paramref name="fraction"/> of the chemical systems with at least
    /// <see cref="MinSystemElements"/> elements: new chemistries, as a screening of unexplored systems meets them.
    /// Their subsystems (binaries, elements) stay in training.
    /// </summary>
    public static bool[] Systems(IReadOnlyList<Composition> compositions, double fraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(compositions);
        Check(fraction);
        var keys = compositions.Select(c => c.ElementCount >= MinSystemElements ? c.ChemicalSystem : null).ToArray();
        // Ordinal order first, so the draw does not depend on the rows' order.
        var systems = keys.OfType<string>().Distinct().Order(StringComparer.Ordinal).ToArray();
        if (systems.Length == 0)
        {
            throw new InvalidOptionException($"No chemical system of {MinSystemElements} or more elements to hold out.");
        }

        new Random(seed).Shuffle(systems);
        var held = systems.Take(Count(systems.Length, fraction)).ToHashSet(StringComparer.Ordinal);
        return [.. keys.Select(k => k is not null && held.Contains(k))];
    }

    private static int Count(int n, double fraction) => Math.Clamp((int)Math.Round(n * fraction), 1, Math.Max(1, n - 1));

    private static void Check(double fraction)
    {
        if (!(fraction > 0 && fraction < 1))
        {
            throw new InvalidOptionException($"The held-out fraction must lie strictly between 0 and 1; got {fraction}.");
        }
    }
}
