using Microsoft.ML.OnnxRuntime;

namespace MaterialsDb.Models.Packages;

/// <summary>
/// Runs an <see cref="OnnxModel"/> on batches of up to <see cref="Capacity"/> rows with buffers allocated once: the
/// caller writes features into <see cref="Input"/>, <see cref="Run"/> writes mean and standard deviation. Not thread
/// safe; the model's sessions are shared, so one predictor per thread costs only its buffers.
/// </summary>
/// <remarks>
/// ONNX Runtime reads the input from, and writes each member's output into, pinned managed arrays through
/// <see cref="OrtValue"/>s that are rebuilt only when the batch's row count changes.
/// </remarks>
public sealed class OnnxPredictor : IDisposable
{
    private readonly OnnxModel _model;
    private readonly int _width;
    private readonly float[] _input;
    private readonly float[][] _outputs;
    private readonly float[] _ownUncertainty;
    private readonly float[] _scratch;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly OrtValue[] _inputValue = new OrtValue[1];
    private readonly OrtValue[][] _outputValues;
    private readonly OrtIoBinding[] _bindings;
    private readonly bool _useOwnUncertainty;
    private readonly float _scale;
    private readonly ProbabilityCalibration? _probability;
    private int _rows = -1;

    internal OnnxPredictor(OnnxModel model, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _model = model;
        Capacity = capacity;
        _width = model.Manifest.FeatureCount;
        _input = new float[capacity * _width];
        _outputs = [.. Enumerable.Range(0, model.MemberCount).Select(_ => new float[capacity])];
        _ownUncertainty = new float[capacity];
        _scratch = model.Trees is null ? [] : new float[capacity];
        _useOwnUncertainty = model.Manifest.UncertaintyOutputName is not null && model.MemberCount == 1;
        _inputNames = [model.Manifest.InputName];
        _outputNames = _useOwnUncertainty ? [model.Manifest.OutputName, model.Manifest.UncertaintyOutputName!] : [model.Manifest.OutputName];
        _outputValues = [.. Enumerable.Range(0, model.MemberCount).Select(_ => new OrtValue[_outputNames.Length])];
        _bindings = [.. Enumerable.Range(0, model.MemberCount).Select(m => model.Session(m).CreateIoBinding())];
        _scale = (float)(model.Manifest.UncertaintyScale ?? 1.0);
        _probability = model.Manifest.IsClassifier ? model.Manifest.ProbabilityCalibration : null;
    }

    /// <summary>Largest batch.</summary>
    public int Capacity { get; }

    /// <summary>Where to write the features of the next batch of <paramref name="rows"/> rows (row-major).</summary>
    public Span<float> Input(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, Capacity);
        return _input.AsSpan(0, rows * _width);
    }

    /// <summary>
    /// Predicts the first <paramref name="rows"/> rows of <see cref="Input"/>: the members' mean and the scaled
    /// uncertainty. Rows with a NaN feature get NaN. Each row's result does not depend on the batch it is in.
    /// </summary>
    public void Run(int rows, Span<float> mean, Span<float> std)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, Capacity);
        if (mean.Length < rows || std.Length < rows)
        {
            throw new ArgumentException($"Output buffers hold fewer than {rows} rows.");
        }

        if (rows == 0)
        {
            return;
        }

        if (_model.Trees is { } trees)
        {
            for (var m = 0; m < trees.Length; m++)
            {
                trees[m].Predict(_input.AsSpan(0, rows * _width), rows, _outputs[m], _scratch);
            }
        }
        else
        {
            Bind(rows);
            for (var m = 0; m < _model.MemberCount; m++)
            {
                _model.Session(m).RunWithBinding(_model.RunOptions, _bindings[m]);
            }
        }

        var members = _model.MemberCount;
        for (var r = 0; r < rows; r++)
        {
            double sum = 0, sumSquares = 0;
            for (var m = 0; m < members; m++)
            {
                double v = _outputs[m][r];
                sum += v;
                sumSquares += v * v;
            }

            var average = sum / members;
            // A classifier's mean is a probability, calibrated as a whole; its spread stays the members' raw spread.
            mean[r] = (float)(_probability is { } calibration ? calibration.Apply(average) : average);
            var spread = _useOwnUncertainty ? _ownUncertainty[r] : members > 1 ? (float)Math.Sqrt(Math.Max(0, (sumSquares / members) - (average * average))) : 0f;
            std[r] = spread * _scale;
            if (HasNaN(_input.AsSpan(r * _width, _width)))
            {
                mean[r] = std[r] = float.NaN;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Unbind();
        foreach (var b in _bindings)
        {
            b.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    private void Bind(int rows)
    {
        if (rows == _rows)
        {
            return;
        }

        Unbind();
        _inputValue[0] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _input.AsMemory(0, rows * _width), [rows, _width]);
        for (var m = 0; m < _outputValues.Length; m++)
        {
            _outputValues[m][0] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _outputs[m].AsMemory(0, rows), [rows, 1]);
            if (_useOwnUncertainty)
            {
                _outputValues[m][1] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _ownUncertainty.AsMemory(0, rows), [rows, 1]);
            }

            // The binding ties the pinned buffers to the session once; each run then passes no names or arrays.
            var binding = _bindings[m];
            binding.ClearBoundInputs();
            binding.ClearBoundOutputs();
            binding.BindInput(_inputNames[0], _inputValue[0]);
            for (var o = 0; o < _outputNames.Length; o++)
            {
                binding.BindOutput(_outputNames[o], _outputValues[m][o]);
            }
        }

        _rows = rows;
    }

    private void Unbind()
    {
        _inputValue[0]?.Dispose();
        foreach (var values in _outputValues)
        {
            foreach (var v in values)
            {
                v?.Dispose();
            }

            Array.Clear(values);
        }

        _inputValue[0] = null!;
        _rows = -1;
    }

    private static bool HasNaN(ReadOnlySpan<float> row)
    {
        foreach (var v in row)
        {
            if (float.IsNaN(v))
            {
                return true;
            }
        }

        return false;
    }
}
