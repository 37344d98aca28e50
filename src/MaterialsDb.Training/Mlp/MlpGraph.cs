using System.Globalization;
using Google.Protobuf;
using Onnx;

namespace MaterialsDb.Training;

/// <summary>
/// Writes a trained <see cref="MlpNetwork"/> as an ONNX graph with the package's tensor names: input
/// <c>Features</c> float32[N, F], output <c>Score.output</c> float32[N, 1]. The graph standardizes the features
/// (Sub, Mul; non-finite → 0 by IsNaN/IsInf/Where), runs Gemm + Relu per hidden layer and a final Gemm, and undoes
/// the target scaling (Mul, Add): the same float32 operations the trainer applies.
/// </summary>
public static class MlpGraph
{
    /// <summary>The graph's bytes.</summary>
    public static byte[] Export(MlpNetwork network, FeatureScaling scaling, float targetMean, float targetScale)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(scaling);
        var width = network.Sizes[0];
        var graph = new GraphProto { Name = "mlp_regression" };
        graph.Input.Add(Value(LightGbmRegressor.InputName, width));
        graph.Output.Add(Value(LightGbmRegressor.OutputName, 1));
        var input = AppendStandardize(graph, LightGbmRegressor.InputName, scaling, "", "h0");
        var z = AppendLayers(graph, network, input, "");
        AppendUnscale(graph, z, targetMean, targetScale, "", LightGbmRegressor.OutputName);
        var model = new ModelProto { IrVersion = 8, ProducerName = "MaterialsDb", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model.ToByteArray();
    }

    // (x − mean) × scale, non-finite → 0; returns the output's name.
    internal static string AppendStandardize(GraphProto graph, string input, FeatureScaling scaling, string prefix, string output)
    {
        var width = scaling.Mean.Length;
        graph.Initializer.Add(Tensor(prefix + "mean", scaling.Mean, width));
        graph.Initializer.Add(Tensor(prefix + "scale", scaling.Scale, width));
        graph.Initializer.Add(Tensor(prefix + "zero", [0f]));
        Add(graph, "Sub", [input, prefix + "mean"], prefix + "centred");
        Add(graph, "Mul", [prefix + "centred", prefix + "scale"], prefix + "scaled");
        Add(graph, "IsNaN", [prefix + "scaled"], prefix + "nan");
        Add(graph, "IsInf", [prefix + "scaled"], prefix + "inf");
        Add(graph, "Or", [prefix + "nan", prefix + "inf"], prefix + "missing");
        Add(graph, "Where", [prefix + "missing", prefix + "zero", prefix + "scaled"], output);
        return output;
    }

    // Gemm + Relu per hidden layer and a final Gemm, reading the input named {prefix}h0; returns the output's name.
    internal static string AppendLayers(GraphProto graph, MlpNetwork network, string input, string prefix)
    {
        var layers = network.Sizes.Length - 1;
        for (var l = 0; l < layers; l++)
        {
            var w = prefix + string.Create(CultureInfo.InvariantCulture, $"w{l}");
            var b = prefix + string.Create(CultureInfo.InvariantCulture, $"b{l}");
            graph.Initializer.Add(Tensor(w, network.Weights[l], network.Sizes[l], network.Sizes[l + 1]));
            graph.Initializer.Add(Tensor(b, network.Biases[l], network.Sizes[l + 1]));
            var linear = prefix + string.Create(CultureInfo.InvariantCulture, $"z{l + 1}");
            Add(graph, "Gemm", [l == 0 ? input : prefix + string.Create(CultureInfo.InvariantCulture, $"h{l}"), w, b], linear);
            if (l < layers - 1)
            {
                Add(graph, "Relu", [linear], prefix + string.Create(CultureInfo.InvariantCulture, $"h{l + 1}"));
            }
        }

        return prefix + string.Create(CultureInfo.InvariantCulture, $"z{layers}");
    }

    // y × target scale + target mean.
    internal static void AppendUnscale(GraphProto graph, string input, float targetMean, float targetScale, string prefix, string output)
    {
        graph.Initializer.Add(Tensor(prefix + "target_scale", [targetScale]));
        graph.Initializer.Add(Tensor(prefix + "target_mean", [targetMean]));
        Add(graph, "Mul", [input, prefix + "target_scale"], prefix + "unscaled");
        Add(graph, "Add", [prefix + "unscaled", prefix + "target_mean"], output);
    }

    internal static NodeProto Add(GraphProto graph, string op, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{output}" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        graph.Node.Add(node);
        return node;
    }

    internal static ValueInfoProto Value(string name, int columns)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "N" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = columns });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    internal static TensorProto Tensor(string name, float[] values, params int[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims.Select(d => (long)d));
        // Raw little-endian bytes: compact and exact.
        tensor.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return tensor;
    }
}
