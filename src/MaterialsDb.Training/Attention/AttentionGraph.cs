using System.Globalization;
using Google.Protobuf;
using MaterialsDb.Features;
using Onnx;
using static MaterialsDb.Training.MlpGraph;

namespace MaterialsDb.Training.Attention;

/// <summary>
/// Writes a trained <see cref="AttentionNetwork"/> as an ONNX graph with the package's tensor names (input
/// <c>Features</c> float32[N, F], output <c>Score.output</c> float32[N, 1]), so every consumer of a package runs it
/// unchanged. The composition is read from the last 103 feature columns: TopK picks the K largest fractions (K = the
/// most elements of any row the trainer was given), Gather looks up their table rows, and the K × K pairs are evaluated with the
/// absent ones weighted by ln 0 = −∞, which softmax turns into exact zeros. A row with more than K elements gets NaN
/// rather than a prediction that silently ignores some of them.
/// </summary>
public static class AttentionGraph
{
    /// <summary>The graph's bytes.</summary>
    /// <param name="network">The trained network.</param>
    /// <param name="scaling">The descriptors' standardization.</param>
    /// <param name="targetMean">Target mean the network's output is relative to.</param>
    /// <param name="targetScale">Target scale.</param>
    /// <param name="maxElements">K: elements per composition the graph evaluates.</param>
    public static byte[] Export(AttentionNetwork network, FeatureScaling scaling, float targetMean, float targetScale, int maxElements)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(scaling);
        var width = network.Descriptors;
        var d = network.Width;
        const int Columns = ElementFractionFeaturizer.MaxZ;
        var graph = new GraphProto { Name = "attention_regression" };
        graph.Input.Add(Value(LightGbmRegressor.InputName, width));
        graph.Output.Add(Value(LightGbmRegressor.OutputName, 1));
        var input = LightGbmRegressor.InputName;

        // The composition: the K largest fractions, their ln and their elements' table rows.
        graph.Initializer.Add(Longs("fraction_start", width - Columns));
        graph.Initializer.Add(Longs("fraction_end", width));
        graph.Initializer.Add(Longs("axis1", 1));
        graph.Initializer.Add(Longs("k", maxElements));
        Add(graph, "Slice", [input, "fraction_start", "fraction_end", "axis1"], "fractions");
        var topK = Add(graph, "TopK", ["fractions", "k"], "w");
        topK.Output.Add("element_index");
        graph.Initializer.Add(Tensor("table", network.Table, ElementEmbedding.Elements, d));
        Add(graph, "Gather", ["table", "element_index"], "embedded");
        graph.Initializer.Add(Longs("axis2", 2));
        graph.Initializer.Add(Longs("axis3", 3));
        Add(graph, "Unsqueeze", ["w", "axis2"], "w_column");
        graph.Initializer.Add(Tensor("u_e", network.Parameters[2], d));
        Add(graph, "Mul", ["w_column", "u_e"], "fraction_term");
        Add(graph, "Add", ["embedded", "fraction_term"], "node0");
        Add(graph, "Log", ["w"], "log_w");
        Add(graph, "Unsqueeze", ["log_w", "axis1"], "log_w_row");

        var h = "node0";
        for (var l = 0; l < network.Layers; l++)
        {
            var b = AttentionNetwork.LayerBase(l);
            var p = string.Create(CultureInfo.InvariantCulture, $"layer{l}_");
            graph.Initializer.Add(Tensor(p + "A", network.Parameters[b], d, d));
            graph.Initializer.Add(Tensor(p + "B", network.Parameters[b + 1], d, d));
            graph.Initializer.Add(Tensor(p + "c", network.Parameters[b + 2], d));
            graph.Initializer.Add(Tensor(p + "v", network.Parameters[b + 3], d, 1));
            graph.Initializer.Add(Tensor(p + "O", network.Parameters[b + 4], d, d));
            graph.Initializer.Add(Tensor(p + "o", network.Parameters[b + 5], d));
            Add(graph, "MatMul", [h, p + "A"], p + "pa");
            Add(graph, "MatMul", [h, p + "B"], p + "hb");
            Add(graph, "Add", [p + "hb", p + "c"], p + "pb");
            Add(graph, "Unsqueeze", [p + "pa", "axis2"], p + "pa_i");
            Add(graph, "Unsqueeze", [p + "pb", "axis1"], p + "pb_j");
            Add(graph, "Add", [p + "pa_i", p + "pb_j"], p + "pre");
            LeakyRelu(graph, p + "pre", p + "s");
            Add(graph, "MatMul", [p + "s", p + "v"], p + "gate4");
            Add(graph, "Squeeze", [p + "gate4", "axis3"], p + "gate");
            Add(graph, "Add", [p + "gate", "log_w_row"], p + "logit");
            Softmax(graph, p + "logit", p + "alpha");
            Add(graph, "Unsqueeze", [p + "alpha", "axis3"], p + "alpha4");
            Add(graph, "Mul", [p + "s", p + "alpha4"], p + "weighted");
            ReduceSum(graph, p + "weighted", "axis2", p + "msg");
            Add(graph, "MatMul", [p + "msg", p + "O"], p + "mo");
            Add(graph, "Add", [p + "mo", p + "o"], p + "update");
            Add(graph, "Add", [h, p + "update"], p + "h");
            h = p + "h";
        }

        // Attention pooling over the elements.
        var pb = network.PoolBase;
        graph.Initializer.Add(Tensor("pool_P", network.Parameters[pb], d, d));
        graph.Initializer.Add(Tensor("pool_p", network.Parameters[pb + 1], d));
        graph.Initializer.Add(Tensor("pool_q", network.Parameters[pb + 2], d, 1));
        Add(graph, "MatMul", [h, "pool_P"], "pool_hp");
        Add(graph, "Add", ["pool_hp", "pool_p"], "pool_pre");
        LeakyRelu(graph, "pool_pre", "pool_t");
        Add(graph, "MatMul", ["pool_t", "pool_q"], "pool_gate3");
        Add(graph, "Squeeze", ["pool_gate3", "axis2"], "pool_gate");
        Add(graph, "Add", ["pool_gate", "log_w"], "pool_logit");
        Softmax(graph, "pool_logit", "pool_beta");
        Add(graph, "Unsqueeze", ["pool_beta", "axis2"], "pool_beta3");
        Add(graph, "Mul", ["pool_t", "pool_beta3"], "pool_weighted");
        ReduceSum(graph, "pool_weighted", "axis1", "pooled");

        // The head reads [pooled, standardized descriptors].
        var descriptors = AppendStandardize(graph, input, scaling, "descriptor_", "descriptors");
        var concat = Add(graph, "Concat", ["pooled", descriptors], "head_h0");
        concat.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = 1 });
        var z = AppendLayers(graph, network.Head, "head_h0", "head_");
        AppendUnscale(graph, z, targetMean, targetScale, "", "prediction");

        // More elements than K: NaN, not a prediction that leaves some out.
        graph.Initializer.Add(Tensor("fraction_zero", [0f]));
        graph.Initializer.Add(Tensor("k_float", [maxElements]));
        graph.Initializer.Add(Tensor("nan", [float.NaN]));
        Add(graph, "Greater", ["fractions", "fraction_zero"], "present");
        var cast = Add(graph, "Cast", ["present"], "present_float");
        cast.Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (long)TensorProto.Types.DataType.Float });
        ReduceSum(graph, "present_float", "axis1", "element_count", keepDimensions: true);
        Add(graph, "Greater", ["element_count", "k_float"], "too_many");
        Add(graph, "Where", ["too_many", "nan", "prediction"], LightGbmRegressor.OutputName);

        var model = new ModelProto { IrVersion = 8, ProducerName = "MaterialsDb", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model.ToByteArray();
    }

    private static void LeakyRelu(GraphProto graph, string input, string output) =>
        Add(graph, "LeakyRelu", [input], output).Attribute.Add(new AttributeProto { Name = "alpha", Type = AttributeProto.Types.AttributeType.Float, F = AttentionNetwork.Slope });

    private static void Softmax(GraphProto graph, string input, string output) =>
        Add(graph, "Softmax", [input], output).Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = -1 });

    private static void ReduceSum(GraphProto graph, string input, string axes, string output, bool keepDimensions = false) =>
        Add(graph, "ReduceSum", [input, axes], output).Attribute.Add(new AttributeProto { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = keepDimensions ? 1 : 0 });

    private static TensorProto Longs(string name, long value)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(1);
        tensor.Int64Data.Add(value);
        return tensor;
    }
}
