namespace MaterialsDb.Design.Surrogate;

/// <summary>A fitted model of one property: a mean and a calibrated σ for every row of features.</summary>
public interface ISurrogate
{
    /// <summary>The σ scale the fit found from held-out residuals (1: the raw spread already matched them).</summary>
    double Calibration { get; }

    /// <summary>Features per row.</summary>
    int Width { get; }

    /// <summary>Observations it was fitted on.</summary>
    int Observations { get; }

    /// <summary>Floats of scratch <see cref="Predict"/> needs per row.</summary>
    int ScratchPerRow { get; }

    /// <summary>Mean and calibrated σ of every row; <paramref name="scratch"/> holds at least <see cref="ScratchPerRow"/> × rows floats.</summary>
    void Predict(ReadOnlySpan<float> features, int rows, Span<double> mean, Span<double> std, Span<float> scratch);
}
