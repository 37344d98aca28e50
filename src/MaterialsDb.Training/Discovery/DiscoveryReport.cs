using System.Globalization;
using System.Text;

namespace MaterialsDb.Training.Discovery;

/// <summary>The discovery protocol's results for one recipe, and their Markdown table.</summary>
/// <param name="Dataset">The formation-energy data of the leave-out splits.</param>
/// <param name="Preset">Featurizer preset.</param>
/// <param name="Recipe">The trainer settings as <c>models train</c> options.</param>
/// <param name="Protocols">One result per split run.</param>
public sealed record DiscoveryReport(string Dataset, string Preset, string Recipe, IReadOnlyList<ProtocolResult> Protocols)
{
    /// <summary>The tables as Markdown: per protocol, the errors, the classification per threshold, and the uncertainty.</summary>
    public string ToMarkdown()
    {
        var s = new StringBuilder();
        foreach (var p in Protocols)
        {
            var q = p.StabilityQuantity;
            s.Append(Invariant($"### Discovery protocol: {p.Name}\n\n{Capital(p.Description)}. {p.TrainingRows} training rows, {p.HeldOutRows} held-out rows scored. Features `{Preset}`; recipe `{Recipe}`.\n\n"));
            s.Append(Invariant($"| method | E_f MAE (eV/atom) | {q} MAE (eV/atom) |\n| --- | --- | --- |\n"));
            foreach (var m in p.Methods)
            {
                s.Append(Invariant($"| {m.Method} | {Number(m.FormationMae)} | {Number(m.StabilityMae)} |\n"));
            }

            s.Append(Invariant($"\n| method | stable if {q} ≤ (eV/atom) | prevalence | precision | recall | F1 | accuracy | DAF |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n"));
            foreach (var m in p.Methods)
            {
                foreach (var c in m.Classes)
                {
                    s.Append(Invariant($"| {m.Method} | {c.Threshold:0.00} | {Number(c.Prevalence)} | {Number(c.Precision)} | {Number(c.Recall)} | {Number(c.F1)} | {Number(c.Accuracy)} | {Number(c.AccelerationFactor, "0.00")} |\n"));
                }
            }

            var f = p.FormationCalibration;
            var e = p.StabilityCalibration;
            var b = p.Probability;
            s.Append(Invariant($"\nUncertainty on the held-out rows (scale fitted on even rows, shares measured on odd rows): E_f errors within the raw ensemble spread {f.RawWithin1Sigma:P1} (1σ) and {f.RawWithin2Sigma:P1} (2σ); {q} errors within spread × {e.Scale:0.###} {e.Within1Sigma:P1} (1σ) and {e.Within2Sigma:P1} (2σ). "));
            s.Append(Invariant($"P({q} ≤ 0) = Φ(−{q}/σ) with that σ: Brier score {b.Brier:0.####}, expected calibration error {b.CalibrationError:0.####} ({b.Rows} rows). "));
            s.Append(Invariant($"Precision of the top {b.TopN}: ranked by predicted {q} {b.TopPrecisionByEnergy:0.###}, by P(stable) {b.TopPrecisionByProbability:0.###}."));
            if (p.HullCheck is { } check)
            {
                s.Append(Invariant($" ΔHd recomputed by MaterialsDb's hull from all formation energies agrees with the file's within {check:0.###e0} eV/atom."));
            }

            s.Append("\n\n");
        }

        return s.ToString();
    }

    private static string Capital(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static string Number(double value, string format = "0.####") => double.IsNaN(value) ? "—" : value.ToString(format, CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
