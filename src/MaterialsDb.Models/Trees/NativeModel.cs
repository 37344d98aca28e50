namespace MaterialsDb.Models.Trees;

/// <summary>
/// A member graph the native evaluator runs: a tree ensemble, optionally gated by a classifier ensemble the way
/// <c>models train --zero-gate</c> joins them (prediction = the regressor's where sigmoid(slope · score + offset) of
/// the classifier exceeds the threshold, else 0).
/// </summary>
/// <remarks>
/// Tree sums and the gate's multiply and add are ONNX Runtime's float32 operations in its order, so they are
/// bit-identical; the sigmoid is computed with <see cref="MathF.Exp"/>, which may differ from ONNX Runtime's by an ulp,
/// so a row whose probability lies within about 1e-7 of the threshold could be gated differently.
/// </remarks>
public sealed class NativeModel
{
    internal NativeModel(TreeEnsemble trees, GateTrees? gate)
    {
        Trees = trees;
        Gate = gate;
    }

    /// <summary>The regressor's trees.</summary>
    public TreeEnsemble Trees { get; }

    /// <summary>The classifier gate, when the graph has one.</summary>
    public GateTrees? Gate { get; }

    /// <summary>Predicts <paramref name="rows"/> rows; <paramref name="scratch"/> holds the gate's scores (≥ rows; unused without a gate).</summary>
    public void Predict(ReadOnlySpan<float> features, int rows, Span<float> output, Span<float> scratch)
    {
        TreeEvaluator.Predict(Trees, features, rows, output);
        if (Gate is not { } gate)
        {
            return;
        }

        TreeEvaluator.Predict(gate.Classifier, features, rows, scratch);
        for (var r = 0; r < rows; r++)
        {
            var scaled = scratch[r] * gate.Slope;
            var linear = scaled + gate.Offset;
            var probability = 1f / (1f + MathF.Exp(-linear));
            if (!(probability > gate.Threshold))
            {
                output[r] = 0f;
            }
        }
    }
}

/// <summary>A classifier gate: P = sigmoid(<see cref="Slope"/> · score + <see cref="Offset"/>); predict 0 unless P &gt; <see cref="Threshold"/>.</summary>
public sealed record GateTrees(TreeEnsemble Classifier, float Slope, float Offset, float Threshold);
