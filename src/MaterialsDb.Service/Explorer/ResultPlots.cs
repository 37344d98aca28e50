namespace MaterialsDb.Service.Explorer;

/// <summary>What the explorer's plots show: the Pareto front of two columns and element frequencies among the top rows.</summary>
public static class ResultPlots
{
    /// <summary>
    /// Selected rows that no other selected row beats on both columns (each maximised or minimised), ordered along
    /// <paramref name="x"/> from its best value. Rows without either value are left out.
    /// </summary>
    public static int[] ParetoFront(ResultIndex index, ResultSelection selection, string x, bool maximizeX, string y, bool maximizeY)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(selection);
        var xs = index.Numbers(x) ?? throw new ResultQueryException("x", $"'{x}' is not a numeric column of this result");
        var ys = index.Numbers(y) ?? throw new ResultQueryException("y", $"'{y}' is not a numeric column of this result");
        var order = index.Order(x, maximizeX);
        var front = new List<int>();
        var best = double.NegativeInfinity;
        for (var i = 0; i < order.Length;)
        {
            // One run of equal x: only its best y can be on the front (the others are beaten by it).
            var runX = xs[order[i]];
            if (double.IsNaN(runX))
            {
                break;
            }

            int bestRow = -1;
            var runBest = double.NegativeInfinity;
            for (; i < order.Length && xs[order[i]] == runX; i++)
            {
                var row = order[i];
                var v = maximizeY ? ys[row] : -ys[row];
                if (selection.Contains(row) && !double.IsNaN(v) && v > runBest)
                {
                    runBest = v;
                    bestRow = row;
                }
            }

            if (bestRow >= 0 && runBest > best)
            {
                front.Add(bestRow);
                best = runBest;
            }
        }

        return [.. front];
    }

    /// <summary>How many of the first <paramref name="top"/> selected rows (by rank) contain each element (index = Z).</summary>
    public static int[] ElementCounts(ResultIndex index, ResultSelection selection, int top)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(selection);
        var counts = new int[Chemistry.PeriodicTable.MaxZ + 1];
        var seen = 0;
        for (var row = 0; row < index.RowCount && seen < top; row++)
        {
            if (!selection.Contains(row))
            {
                continue;
            }

            seen++;
            var set = index.ElementsOf(row);
            while (set != UInt128.Zero)
            {
                var z = (int)UInt128.TrailingZeroCount(set);
                counts[z]++;
                set &= set - UInt128.One;
            }
        }

        return counts;
    }
}
