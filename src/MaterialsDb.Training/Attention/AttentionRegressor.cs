namespace MaterialsDb.Training.Attention;

/// <summary>
/// Trains one <see cref="AttentionNetwork"/> member the way <see cref="MlpRegressor"/> trains an MLP: descriptors and
/// target standardized on the training rows, absolute-error loss, AdamW, cosine schedule, and each batch split into a
/// fixed number of parts run in parallel and summed in order (the same bytes on any number of cores). The
/// compositions come from the features' trailing element fractions.
/// </summary>
public static class AttentionRegressor
{
    // Rows per forward block when predicting (pairs of a 13-element steel row make blocks large).
    private const int PredictBlock = 256;

    /// <summary>Trains on <paramref name="trainRows"/>; returns the ONNX graph and the network's predictions for <paramref name="predictRows"/>.</summary>
    /// <exception cref="InvalidOptionException">The features do not end in element fractions, or the settings are out of range.</exception>
    public static MemberFit Train(float[] features, int width, float[] targets, int[] trainRows, int[] predictRows, AttentionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        MiniBatches.CheckInputs(features, targets, trainRows, predictRows);
        options.Validate();
        var embedding = options.Embedding ?? throw new ArgumentException($"The settings carry no loaded embedding ('{options.EmbeddingId}'); load it with ElementEmbedding.LoadAsync.", nameof(options));

        var lists = ElementLists.FromFeatures(features, width);
        var scaling = FeatureScaling.Fit(features, width, trainRows);
        var (targetMean, targetScale) = MlpRegressor.TargetScaling(targets, trainRows);
        var network = new AttentionNetwork(embedding, options.Width, options.MessageLayers, width, options.Hidden, options.Seed);
        var work = Enumerable.Range(0, MiniBatches.Parts).Select(_ => network.CreateWorkspace(MiniBatches.RowsPerPart(options.BatchSize, trainRows.Length), lists.MaxElements)).ToArray();
        MiniBatches.Run(trainRows, options.BatchSize, options.Epochs, options.Seed, options.LearningRate, (p, rows, count) =>
        {
            var w = work[p];
            w.ClearGradients();
            LoadDescriptors(network, scaling, features, width, rows, w);
            network.Forward(w, lists, rows);
            for (var i = 0; i < rows.Length; i++)
            {
                w.Head.OutputGradient[i] = MiniBatches.AbsoluteErrorGradient(w.Head.Output[i], (targets[rows[i]] - targetMean) / targetScale, count);
            }

            network.Backward(w, rows.Length);
        }, rate => network.Step(work, rate, (float)options.WeightDecay), cancellationToken);

        var predictions = Predict(network, lists, scaling, targetMean, targetScale, features, width, predictRows);
        return new MemberFit(AttentionGraph.Export(network, scaling, targetMean, targetScale, lists.MaxElements), predictions);
    }

    /// <summary>The network's predictions in target units, computed as the ONNX graph computes them.</summary>
    internal static float[] Predict(AttentionNetwork network, ElementLists lists, FeatureScaling scaling, float targetMean, float targetScale, float[] features, int width, int[] rows)
    {
        var predictions = new float[rows.Length];
        var blocks = (rows.Length + PredictBlock - 1) / PredictBlock;
        Parallel.For(0, MiniBatches.Parts, p =>
        {
            var w = network.CreateWorkspace(PredictBlock, lists.MaxElements);
            for (var block = p; block < blocks; block += MiniBatches.Parts)
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
