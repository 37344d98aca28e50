namespace MaterialsDb.Training.Attention;

/// <summary>
/// Trains one <see cref="AttentionNetwork"/> member the way <see cref="MlpRegressor"/> trains an MLP: descriptors and
/// target standardized on the training rows, absolute-error loss, AdamW, cosine schedule, and each batch split into a
/// fixed number of parts run in parallel and summed in order (the same bytes on any number of cores). The
/// compositions come from the features' trailing element fractions.
/// </summary>
public static class AttentionRegressor
{
    // Parts per batch: fixed, so thread count never changes the summation order.
    private const int Parts = 4;

    // Rows per forward block when predicting (pairs of a 13-element steel row make blocks large).
    private const int PredictBlock = 256;

    /// <summary>Trains on <paramref name="trainRows"/>; returns the ONNX graph and the network's predictions for <paramref name="predictRows"/>.</summary>
    /// <exception cref="InvalidOptionException">The features do not end in element fractions, or the settings are out of range.</exception>
    public static MemberFit Train(float[] features, int width, float[] targets, int[] trainRows, int[] predictRows, AttentionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(trainRows);
        ArgumentNullException.ThrowIfNull(predictRows);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var embedding = options.Embedding ?? throw new ArgumentException($"The settings carry no loaded embedding ('{options.EmbeddingId}'); load it with ElementEmbedding.LoadAsync.", nameof(options));
        if (trainRows.Length == 0)
        {
            throw new ArgumentException("No training rows.", nameof(trainRows));
        }

        var lists = ElementLists.FromFeatures(features, width);
        var scaling = FeatureScaling.Fit(features, width, trainRows);
        var (targetMean, targetScale) = MlpRegressor.TargetScaling(targets, trainRows);
        var network = new AttentionNetwork(embedding, options.Width, options.MessageLayers, width, options.Hidden, options.Seed);
        var batch = Math.Min(options.BatchSize, trainRows.Length);
        var partRows = (batch + Parts - 1) / Parts;
        var work = Enumerable.Range(0, Parts).Select(_ => network.CreateWorkspace(partRows, lists.MaxElements)).ToArray();
        var order = trainRows.ToArray();
        var random = new Random(options.Seed);
        var stepsPerEpoch = (order.Length + batch - 1) / batch;
        var totalSteps = (double)options.Epochs * stepsPerEpoch;
        var step = 0;
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            random.Shuffle(order);
            for (var start = 0; start < order.Length; start += batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = Math.Min(batch, order.Length - start);
                Parallel.For(0, Parts, p =>
                {
                    var w = work[p];
                    w.ClearGradients();
                    var from = Math.Min(count, p * partRows);
                    var rows = order.AsSpan(start + from, Math.Min(count, from + partRows) - from);
                    LoadDescriptors(network, scaling, features, width, rows, w);
                    network.Forward(w, lists, rows);
                    for (var i = 0; i < rows.Length; i++)
                    {
                        // d|e|/de = sign(e), averaged over the whole batch.
                        var error = w.Head.Output[i] - ((targets[rows[i]] - targetMean) / targetScale);
                        w.Head.OutputGradient[i] = (error > 0 ? 1f : error < 0 ? -1f : 0f) / count;
                    }

                    network.Backward(w, rows.Length);
                });
                var rate = options.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * step++ / totalSteps));
                network.Step(work, (float)rate, (float)options.WeightDecay);
            }
        }

        var predictions = Predict(network, lists, scaling, targetMean, targetScale, features, width, predictRows);
        return new MemberFit(AttentionGraph.Export(network, scaling, targetMean, targetScale, lists.MaxElements), predictions);
    }

    /// <summary>The network's predictions in target units, computed as the ONNX graph computes them.</summary>
    internal static float[] Predict(AttentionNetwork network, ElementLists lists, FeatureScaling scaling, float targetMean, float targetScale, float[] features, int width, int[] rows)
    {
        var predictions = new float[rows.Length];
        var blocks = (rows.Length + PredictBlock - 1) / PredictBlock;
        Parallel.For(0, Parts, p =>
        {
            var w = network.CreateWorkspace(PredictBlock, lists.MaxElements);
            for (var block = p; block < blocks; block += Parts)
            {
                var start = block * PredictBlock;
                var slice = rows.AsSpan(start, Math.Min(PredictBlock, rows.Length - start));
                LoadDescriptors(network, scaling, features, width, slice, w);
                network.Forward(w, lists, slice);
                for (var i = 0; i < slice.Length; i++)
                {
                    predictions[start + i] = (w.Head.Output[i] * targetScale) + targetMean;
                }
            }
        });
        return predictions;
    }

    internal static void LoadDescriptors(AttentionNetwork network, FeatureScaling scaling, float[] features, int width, ReadOnlySpan<int> rows, AttentionNetwork.Workspace work)
    {
        var headWidth = network.Width + width;
        for (var i = 0; i < rows.Length; i++)
        {
            scaling.Apply(features.AsSpan(rows[i] * width, width), work.Head.Input.AsSpan((i * headWidth) + network.Width, width));
        }
    }
}
