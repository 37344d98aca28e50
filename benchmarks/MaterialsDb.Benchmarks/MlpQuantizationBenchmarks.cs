using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using MaterialsDb.Features;
using MaterialsDb.Models.Packages;
using Onnx;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// Inference options for the formation-energy MLP ensemble (the screening's bottleneck) side by side, on 65,536
/// mp_e_form rows, one thread: the shipped float32 graphs in blocks of 1,024 (baseline, what the engine runs) and of
/// 4,096, and int8 versions made here with ONNX Runtime's integer kernels (weights quantized per output column,
/// activations by <c>DynamicQuantizeLinear</c>) — every layer, or the hidden layers only (the first layer reads the
/// standardized features, whose outliers stretch a per-tensor scale). Setup prints what each costs in accuracy: the
/// mean and largest change of the ensemble mean against float32, the MAE against the targets, and how much a row's
/// prediction moves with the block it is in (dynamic quantization scales each block by its own range).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class MlpQuantizationBenchmarks
{
    private const int Rows = 65_536;
    private readonly List<string> _folders = [];
    private OnnxModel _float = null!;
    private OnnxModel _int8All = null!;
    private OnnxModel _int8Hidden = null!;
    private float[] _features = [];
    private float[] _mean = [];
    private float[] _std = [];
    private int _width;

    /// <summary>The package.</summary>
    [Params("formation-energy")]
    public string Model { get; set; } = "formation-energy";

    [GlobalSetup]
    public void Setup()
    {
        var folder = ModelRegistry.FromEnvironment().Resolve(Model);
        var manifest = ModelManifest.Read(Path.Combine(folder, ModelRegistry.ManifestFile));
        var featurizer = FeaturizerPresets.Create(manifest.Preset, BenchmarkData.Magpie());
        _width = featurizer.FeatureLabels.Count;
        _features = new float[Rows * _width];
        BatchFeaturizer.Featurize(featurizer, BenchmarkData.RepeatedMpEForm(Rows), _features);
        _mean = new float[Rows];
        _std = new float[Rows];
        _float = OnnxModel.Load(folder, featurizer, InferenceEngine.OnnxRuntime);
        _int8All = OnnxModel.Load(Quantized(folder, manifest, hiddenOnly: false), featurizer, InferenceEngine.OnnxRuntime);
        _int8Hidden = OnnxModel.Load(Quantized(folder, manifest, hiddenOnly: true), featurizer, InferenceEngine.OnnxRuntime);

        var targets = BenchmarkData.MpEFormTargets(Rows);
        var reference = Predict(_float, 1024);
        foreach (var (name, model) in new[] { ("float32, block 4,096", _float), ("int8, every layer", _int8All), ("int8, hidden layers", _int8Hidden) })
        {
            var p = Predict(model, 1024);
            var other = Predict(model, 4096);
            var change = reference.Zip(p, (a, b) => Math.Abs(a - b)).ToArray();
            Console.WriteLine($"// {name}: |Δ| against float32 mean {change.Average():0.00000} max {change.Max():0.0000} eV/atom; MAE against mp_e_form {targets.Zip(p, (t, v) => Math.Abs(t - v)).Average():0.00000} (float32 {targets.Zip(reference, (t, v) => Math.Abs(t - v)).Average():0.00000}); block 1,024 against 4,096: largest row change {p.Zip(other, (a, b) => Math.Abs(a - b)).Max():0.000000}");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _float.Dispose();
        _int8All.Dispose();
        _int8Hidden.Dispose();
        foreach (var f in _folders)
        {
            Directory.Delete(f, recursive: true);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows, Description = "float32, blocks of 1,024 (used)")]
    public void Float1024() => Run(_float, 1024);

    [Benchmark(OperationsPerInvoke = Rows, Description = "float32, blocks of 4,096")]
    public void Float4096() => Run(_float, 4096);

    [Benchmark(OperationsPerInvoke = Rows, Description = "int8, every layer, blocks of 1,024")]
    public void Int8All() => Run(_int8All, 1024);

    [Benchmark(OperationsPerInvoke = Rows, Description = "int8, hidden layers, blocks of 1,024")]
    public void Int8Hidden() => Run(_int8Hidden, 1024);

    private void Run(OnnxModel model, int block)
    {
        using var predictor = model.CreatePredictor(block);
        for (var b = 0; b < Rows / block; b++)
        {
            _features.AsSpan(b * block * _width, block * _width).CopyTo(predictor.Input(block));
            predictor.Run(block, _mean.AsSpan(b * block, block), _std.AsSpan(b * block, block));
        }
    }

    private float[] Predict(OnnxModel model, int block)
    {
        Run(model, block);
        return [.. _mean];
    }

    // A copy of the package whose members' Gemm nodes run on int8: weights quantized symmetrically per output column,
    // the layer input by DynamicQuantizeLinear (uint8, per tensor), MatMulInteger, then the two scales and the bias.
    private string Quantized(string folder, ModelManifest manifest, bool hiddenOnly)
    {
        var target = Path.Combine(Path.GetTempPath(), "materialsdb-int8-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(target);
        _folders.Add(target);
        var files = new List<ModelFile>();
        foreach (var (file, m) in manifest.Files.Select((f, m) => (f, m)))
        {
            using var gz = new GZipStream(File.OpenRead(Path.Combine(folder, file.File)), CompressionMode.Decompress);
            var model = ModelProto.Parser.ParseFrom(gz);
            QuantizeGemms(model.Graph, hiddenOnly);
            var bytes = model.ToByteArray();
            var name = $"member{m}.onnx";
            File.WriteAllBytes(Path.Combine(target, name), bytes);
            files.Add(new ModelFile(name, Convert.ToHexStringLower(SHA256.HashData(bytes))));
        }

        (manifest with { Files = files }).Write(Path.Combine(target, ModelRegistry.ManifestFile));
        return target;
    }

    private static void QuantizeGemms(GraphProto graph, bool hiddenOnly)
    {
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        var nodes = graph.Node.ToList();
        var first = nodes.First(n => n.OpType == "Gemm");
        graph.Node.Clear();
        foreach (var node in nodes)
        {
            if (node.OpType != "Gemm" || (hiddenOnly && node == first))
            {
                graph.Node.Add(node);
                continue;
            }

            var (input, weight, bias, output) = (node.Input[0], node.Input[1], node.Input[2], node.Output[0]);
            var w = initializers[weight];
            var (rows, columns) = ((int)w.Dims[0], (int)w.Dims[1]);
            var values = MemoryMarshal.Cast<byte, float>(w.RawData.Span);
            var scale = new float[columns];
            var q = new sbyte[rows * columns];
            for (var j = 0; j < columns; j++)
            {
                var largest = 0f;
                for (var i = 0; i < rows; i++)
                {
                    largest = Math.Max(largest, Math.Abs(values[(i * columns) + j]));
                }

                scale[j] = largest == 0 ? 1 : largest / 127f;
                for (var i = 0; i < rows; i++)
                {
                    q[(i * columns) + j] = (sbyte)Math.Clamp(MathF.Round(values[(i * columns) + j] / scale[j]), -127, 127);
                }
            }

            graph.Initializer.Remove(w);
            graph.Initializer.Add(Tensor(weight + "_q", TensorProto.Types.DataType.Int8, MemoryMarshal.AsBytes(q.AsSpan()), rows, columns));
            graph.Initializer.Add(Tensor(weight + "_scale", TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(scale.AsSpan()), columns));
            Node(graph, "DynamicQuantizeLinear", [input], [output + "_aq", output + "_as", output + "_azp"]);
            Node(graph, "MatMulInteger", [output + "_aq", weight + "_q", output + "_azp"], [output + "_i32"]);
            Node(graph, "Cast", [output + "_i32"], [output + "_f"]).Attribute.Add(new AttributeProto { Name = "to", Type = AttributeProto.Types.AttributeType.Int, I = (int)TensorProto.Types.DataType.Float });
            Node(graph, "Mul", [output + "_as", weight + "_scale"], [output + "_s"]);
            Node(graph, "Mul", [output + "_f", output + "_s"], [output + "_y"]);
            Node(graph, "Add", [output + "_y", bias], [output]);
        }
    }

    private static NodeProto Node(GraphProto graph, string op, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = op, Name = op + "_" + outputs[0] };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        graph.Node.Add(node);
        return node;
    }

    private static TensorProto Tensor(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> data, params int[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(data) };
        tensor.Dims.AddRange(dims.Select(d => (long)d));
        return tensor;
    }
}
