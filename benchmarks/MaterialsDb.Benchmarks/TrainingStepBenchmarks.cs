using BenchmarkDotNet.Attributes;
using MaterialsDb.Data.Downloads;
using MaterialsDb.Features;
using MaterialsDb.Training;
using MaterialsDb.Training.Attention;

namespace MaterialsDb.Benchmarks;

/// <summary>
/// Training cost per row on one thread: forward, backward and AdamW steps of 256-row batches over 4,096 mp_e_form rows
/// (ward2016-fractions), for the attention network at its defaults (width 64, 3 message layers, head 256-128-64) and,
/// as the baseline, the MLP of <c>formation-energy-accurate</c> (512-256-128). ns/row = Mean[ns].
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class TrainingStepBenchmarks
{
    private const int Rows = 4096;
    private const int Batch = 256;
    private float[] _features = [];
    private float[] _targets = [];
    private int _width;
    private FeatureScaling _scaling = null!;
    private ElementLists _lists = null!;
    private AttentionNetwork _attention = null!;
    private AttentionNetwork.Workspace _attentionWork = null!;
    private MlpNetwork _mlp = null!;
    private MlpNetwork.Workspace _mlpWork = null!;

    [GlobalSetup]
    public void Setup()
    {
        var featurizer = FeaturizerPresets.Create("ward2016-fractions", BenchmarkData.Magpie());
        _width = featurizer.FeatureLabels.Count;
        _features = new float[Rows * _width];
        BatchFeaturizer.Featurize(featurizer, BenchmarkData.RepeatedMpEForm(Rows), _features);
        _targets = BenchmarkData.MpEFormTargets(Rows);
        int[] all = [.. Enumerable.Range(0, Rows)];
        _scaling = FeatureScaling.Fit(_features, _width, all);
        _lists = ElementLists.FromFeatures(_features, _width);
        var embedding = ElementEmbedding.LoadAsync(ElementEmbedding.DefaultId, DatasetStore.FromEnvironment()).GetAwaiter().GetResult();
        var options = new AttentionOptions();
        _attention = new AttentionNetwork(embedding, options.Width, options.MessageLayers, _width, options.Hidden, seed: 1);
        _attentionWork = _attention.CreateWorkspace(Batch, _lists.MaxElements);
        _mlp = new MlpNetwork([_width, 512, 256, 128, 1], seed: 1);
        _mlpWork = _mlp.CreateWorkspace(Batch);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows, Description = "MLP 512-256-128")]
    public void Mlp()
    {
        for (var start = 0; start < Rows; start += Batch)
        {
            _mlpWork.ClearGradients();
            for (var i = 0; i < Batch; i++)
            {
                _scaling.Apply(_features.AsSpan((start + i) * _width, _width), _mlpWork.Input.AsSpan(i * _width, _width));
            }

            _mlp.Forward(_mlpWork, Batch);
            SetGradients(_mlpWork.Output, _mlpWork.OutputGradient, start);
            _mlp.Backward(_mlpWork, Batch);
            _mlp.Step([_mlpWork], 1e-4f, 0);
        }
    }

    [Benchmark(OperationsPerInvoke = Rows, Description = "attention 64 × 3, head 256-128-64")]
    public void Attention()
    {
        for (var start = 0; start < Rows; start += Batch)
        {
            var rows = Enumerable.Range(start, Batch).ToArray();
            _attentionWork.ClearGradients();
            AttentionRegressor.LoadDescriptors(_attention, _scaling, _features, _width, rows, _attentionWork);
            _attention.Forward(_attentionWork, _lists, rows);
            SetGradients(_attentionWork.Head.Output, _attentionWork.Head.OutputGradient, start);
            _attention.Backward(_attentionWork, Batch);
            _attention.Step([_attentionWork], 1e-4f, 0);
        }
    }

    private void SetGradients(float[] output, float[] gradient, int start)
    {
        for (var i = 0; i < Batch; i++)
        {
            gradient[i] = MathF.Sign(output[i] - _targets[start + i]) / (float)Batch;
        }
    }
}
