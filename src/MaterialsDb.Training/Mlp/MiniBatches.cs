namespace MaterialsDb.Training;

/// <summary>
/// The training loop the network trainers share: epochs of shuffled batches, each batch split into <see cref="Parts"/>
/// fixed slices run in parallel and then one optimizer step at a learning rate on a cosine from the peak to 0. The
/// slices never depend on the core count and the step sums them in order, so a rerun gives the same bytes anywhere.
/// </summary>
internal static class MiniBatches
{
    /// <summary>Slices per batch.</summary>
    public const int Parts = 4;

    /// <summary>Computes one slice's gradients: <paramref name="part"/> (0 … <see cref="Parts"/> − 1), its rows, and the whole batch's row count (losses are averaged over it).</summary>
    public delegate void Slice(int part, ReadOnlySpan<int> rows, int batchRows);

    /// <summary>What every network trainer checks of its inputs before it starts.</summary>
    /// <exception cref="ArgumentException">No training rows.</exception>
    public static void CheckInputs(float[] features, float[] targets, int[] trainRows, int[] predictRows)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(trainRows);
        ArgumentNullException.ThrowIfNull(predictRows);
        if (trainRows.Length == 0)
        {
            throw new ArgumentException("No training rows.", nameof(trainRows));
        }
    }

    /// <summary>The rows a slice holds at most, for sizing workspaces.</summary>
    public static int RowsPerPart(int batchSize, int trainRows) => (Math.Min(batchSize, trainRows) + Parts - 1) / Parts;

    /// <summary>∂|prediction − target|/∂prediction averaged over the batch: sign(e) / rows (absolute error is what MAE rewards).</summary>
    public static float AbsoluteErrorGradient(float prediction, float target, int batchRows)
    {
        var error = prediction - target;
        return (error > 0 ? 1f : error < 0 ? -1f : 0f) / batchRows;
    }

    /// <summary>Runs the loop over <paramref name="trainRows"/>; <paramref name="step"/> receives each step's learning rate.</summary>
    public static void Run(int[] trainRows, int batchSize, int epochs, int seed, double learningRate, Slice slice, Action<float> step, CancellationToken cancellationToken)
    {
        var batch = Math.Min(batchSize, trainRows.Length);
        var partRows = RowsPerPart(batchSize, trainRows.Length);
        var order = trainRows.ToArray();
        var random = new Random(seed);
        var stepsPerEpoch = (order.Length + batch - 1) / batch;
        var totalSteps = (double)epochs * stepsPerEpoch;
        var done = 0;
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            random.Shuffle(order);
            for (var start = 0; start < order.Length; start += batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = Math.Min(batch, order.Length - start);
                Parallel.For(0, Parts, p =>
                {
                    var from = Math.Min(count, p * partRows);
                    slice(p, order.AsSpan(start + from, Math.Min(count, from + partRows) - from), count);
                });
                step((float)(learningRate * 0.5 * (1 + Math.Cos(Math.PI * done++ / totalSteps))));
            }
        }
    }
}
