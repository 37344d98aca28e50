using MaterialsDb.Models.Internal;

namespace MaterialsDb.Models.Evaluation;

/// <summary>
/// The Matbench v0.1 cross-validation folds: scikit-learn's <c>KFold(n_splits=5, shuffle=True,
/// random_state=18012019)</c> over the dataset rows in file order, reproduced exactly (NumPy's legacy MT19937 shuffle).
/// </summary>
public static class MatbenchFolds
{
    /// <summary>Matbench's random state.</summary>
    public const uint MatbenchSeed = 18012019;

    /// <summary>Matbench's number of folds.</summary>
    public const int MatbenchSplits = 5;

    /// <summary>Test-row indices of each fold, ascending, as scikit-learn yields them.</summary>
    /// <param name="rows">Number of dataset rows.</param>
    /// <param name="splits">Number of folds (at least 2, at most <paramref name="rows"/>).</param>
    /// <param name="seed">The random state.</param>
    public static int[][] TestIndices(int rows, int splits = MatbenchSplits, uint seed = MatbenchSeed)
    {
        if (splits < 2 || splits > rows)
        {
            throw new ArgumentOutOfRangeException(nameof(splits), $"Need 2 ≤ folds ≤ rows ({rows}); got {splits}.");
        }

        // RandomState(seed).shuffle(arange(rows)): Fisher–Yates from the end, j uniform in [0, i].
        var order = new int[rows];
        for (var i = 0; i < rows; i++)
        {
            order[i] = i;
        }

        var random = new Mt19937(seed);
        for (var i = rows - 1; i >= 1; i--)
        {
            var j = (int)random.NextInterval((uint)i);
            (order[i], order[j]) = (order[j], order[i]);
        }

        // The first rows % splits folds get one extra row; KFold returns each fold's rows sorted.
        var folds = new int[splits][];
        var start = 0;
        for (var k = 0; k < splits; k++)
        {
            var size = (rows / splits) + (k < rows % splits ? 1 : 0);
            folds[k] = order[start..(start + size)];
            Array.Sort(folds[k]);
            start += size;
        }

        return folds;
    }

    /// <summary>Training-row indices of fold <paramref name="fold"/>: every row not in its test set, ascending.</summary>
    public static int[] TrainIndices(int rows, int[][] testFolds, int fold)
    {
        ArgumentNullException.ThrowIfNull(testFolds);
        var test = new bool[rows];
        foreach (var i in testFolds[fold])
        {
            test[i] = true;
        }

        return [.. Enumerable.Range(0, rows).Where(i => !test[i])];
    }
}
