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
        graph.Initializer.Add(Tensor("mean", scaling.Mean, width));
        graph.Initializer.Add(Tensor("scale", scaling.Scale, width));
        graph.Initializer.Add(Tensor("zero", [0f]));
        graph.Initializer.Add(Tensor("target_scale", [targetScale]));
        graph.Initializer.Add(Tensor("target_mean", [targetMean]));
        Add(graph, "Sub", [LightGbmRegressor.InputName, "mean"], "centred");
        Add(graph, "Mul", ["centred", "scale"], "scaled");
        Add(graph, "IsNaN", ["scaled"], "nan");
        Add(graph, "IsInf", ["scaled"], "inf");
        Add(graph, "Or", ["nan", "inf"], "missing");
        Add(graph, "Where", ["missing", "zero", "scaled"], "h0");
        var layers = network.Sizes.Length - 1;
        for (var l = 0; l < layers; l++)
        {
            var w = string.Create(CultureInfo.InvariantCulture, $"w{l}");
            var b = string.Create(CultureInfo.InvariantCulture, $"b{l}");
            graph.Initializer.Add(Tensor(w, network.Weights[l], network.Sizes[l], network.Sizes[l + 1]));
            graph.Initializer.Add(Tensor(b, network.Biases[l], network.Sizes[l + 1]));
            var linear = string.Create(CultureInfo.InvariantCulture, $"z{l + 1}");
            Add(graph, "Gemm", [string.Create(CultureInfo.InvariantCulture, $"h{l}"), w, b], linear);
            if (l < layers - 1)
            {
                Add(graph, "Relu", [linear], string.Create(CultureInfo.InvariantCulture, $"h{l + 1}"));
            }
        }

        Add(graph, "Mul", [string.Create(CultureInfo.InvariantCulture, $"z{layers}"), "target_scale"], "unscaled");
        Add(graph, "Add", ["unscaled", "target_mean"], LightGbmRegressor.OutputName);
        var model = new ModelProto { IrVersion = 8, ProducerName = "MaterialsDb", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return model.ToByteArray();
    }

    private static void Add(GraphProto graph, string op, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = op, Name = $"{op}_{output}" };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        graph.Node.Add(node);
    }

    private static ValueInfoProto Value(string name, int columns)
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

    private static TensorProto Tensor(string name, float[] values, params int[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims.Select(d => (long)d));
        // Raw little-endian bytes: compact and exact.
        tensor.RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return tensor;
    }
}
