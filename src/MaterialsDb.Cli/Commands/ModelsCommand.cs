using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MaterialsDb.Chemistry;
using MaterialsDb.Data.Tables;
using MaterialsDb.Features;
using MaterialsDb.Models.Packages;
using MaterialsDb.Training;

namespace MaterialsDb.Cli.Commands;

/// <summary><c>materialsdb models train | evaluate | list</c> and <c>materialsdb predict</c>.</summary>
internal static class ModelsCommand
{
    /// <summary>Environment variable naming the folder of model packages (default: <c>models/</c> under the current folder).</summary>
    public const string ModelsVariable = "MATERIALSDB_MODELS";

    public static Command Create(CliContext context)
    {
        var train = new Command("train", "Train a LightGBM ensemble (one member per Matbench fold) and write a model package: ONNX files + manifest.json with cross-validated metrics.");
        var trainInputs = new TrainingOptions(train);
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Package folder to write, e.g. models/my-model.", Required = true };
        var id = new Option<string?>("--id") { Description = "Model id (default: the folder name)." };
        train.Options.Add(output);
        train.Options.Add(id);
        train.SetAction(async (parse, ct) =>
        {
            var (data, options) = await trainInputs.LoadAsync(parse, context, ct).ConfigureAwait(false);
            var folder = parse.GetValue(output)!.FullName;
            var command = $"materialsdb models train --dataset {parse.GetValue(trainInputs.Dataset)} --preset {data.Featurizer.Id} --iterations {options.Iterations} --leaves {options.Leaves} --learning-rate {options.LearningRate.ToString(CultureInfo.InvariantCulture)}";
            var cv = EnsembleTrainer.Train(folder, data.Featurizer, data.Features, data.Targets, new EnsembleTrainer.Description(parse.GetValue(id) ?? Path.GetFileName(folder), data.Name, data.Units, data.Dataset, command), options, line => context.Error.WriteLine(line));
            await context.Output.WriteAsync(cv.ToMarkdown(data.Units)).ConfigureAwait(false);
            await context.Output.WriteLineAsync($"Package written to {folder}.").ConfigureAwait(false);
            return 0;
        });

        var evaluate = new Command("evaluate", "Matbench v0.1 5-fold cross-validation (folds as KFold(5, shuffle=True, random_state=18012019)): per-fold MAE, RMSE, max error and mean ± std, as Markdown and JSON.");
        var evalInputs = new TrainingOptions(evaluate);
        var protocol = new Option<string>("--protocol") { Description = "Evaluation protocol.", DefaultValueFactory = _ => "matbench" };
        protocol.AcceptOnlyFromAmong("matbench");
        var json = new Option<FileInfo?>("--json") { Description = "Also write the result as JSON to this file." };
        evaluate.Options.Add(protocol);
        evaluate.Options.Add(json);
        evaluate.SetAction(async (parse, ct) =>
        {
            var (data, options) = await evalInputs.LoadAsync(parse, context, ct).ConfigureAwait(false);
            var scratch = Path.Combine(Path.GetTempPath(), "materialsdb-evaluate-" + Guid.NewGuid().ToString("N"));
            try
            {
                var cv = EnsembleTrainer.Train(scratch, data.Featurizer, data.Features, data.Targets, new EnsembleTrainer.Description("evaluation", data.Name, data.Units, data.Dataset, "models evaluate"), options, line => context.Error.WriteLine(line));
                await context.Output.WriteAsync(cv.ToMarkdown(data.Units)).ConfigureAwait(false);
                if (parse.GetValue(json) is { } file)
                {
                    var report = new { dataset = data.Name, protocol = "matbench-v0.1", units = data.Units, preset = data.Featurizer.Id, hyperparameters = options.ToDictionary(), folds = cv.Folds, mae_mean = cv.MaeMean, mae_std = cv.MaeStd, rmse_mean = cv.RmseMean, rmse_std = cv.RmseStd, max_error_mean = cv.MaxErrorMean, max_error_std = cv.MaxErrorStd };
                    await File.WriteAllTextAsync(file.FullName, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }), ct).ConfigureAwait(false);
                }

                return 0;
            }
            finally
            {
                if (Directory.Exists(scratch))
                {
                    Directory.Delete(scratch, recursive: true);
                }
            }
        });

        var list = new Command("list", $"List the model packages in ${ModelsVariable} (default ./models): id, target, units, preset, members, cross-validated MAE.");
        list.SetAction(_ =>
        {
            var root = ModelsRoot();
            var found = Directory.Exists(root) ? Directory.GetDirectories(root).Where(d => File.Exists(Path.Combine(d, "manifest.json"))).Order(StringComparer.Ordinal).ToArray() : [];
            if (found.Length == 0)
            {
                context.Output.WriteLine($"No model packages in {root}.");
                return 0;
            }

            foreach (var folder in found)
            {
                var m = ModelManifest.Read(Path.Combine(folder, "manifest.json"));
                var mae = m.Metrics?.GetValueOrDefault("mae_mean") is { } v ? v.ToString("0.####", CultureInfo.InvariantCulture) : "?";
                context.Output.WriteLine($"{m.Id}\t{m.Target}\t{m.Units}\t{m.Preset}\t{m.Files.Count} member(s)\tMAE {mae}\t{folder}");
            }

            return 0;
        });

        return new Command("models", "Train, evaluate and list property models.") { train, evaluate, list };
    }

    public static Command CreatePredict(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model package folder, or the id of a package in $MATERIALSDB_MODELS (default ./models).", Required = true };
        var formulas = new Argument<string[]>("formulas") { Description = "Formulas to predict.", Arity = ArgumentArity.ZeroOrMore };
        var input = new Option<FileInfo?>("--input", "-i") { Description = "CSV with a 'formula' column (instead of formulas on the command line)." };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Output .csv or .parquet (with --input); default: print." };
        var command = new Command("predict", "Predict a property with a model package: formula, prediction, std (ensemble spread). Rows that fail to parse get an error and NaN.") { model, formulas, input, output };
        command.SetAction(async (parse, ct) =>
        {
            var folder = ResolveModel(parse.GetValue(model)!);
            var manifest = ModelManifest.Read(Path.Combine(folder, "manifest.json"));
            var featurizer = FeaturizerPresets.Create(manifest.Preset, await MagpieElementData.LoadAsync(context.Store, cancellationToken: ct).ConfigureAwait(false));
            using var onnx = OnnxModel.Load(folder, featurizer);
            string?[] rows = parse.GetValue(input) is { } file ? InputTable.Read(file, "formula").GetStrings("formula") : parse.GetValue(formulas) ?? [];
            if (rows.Length == 0)
            {
                throw new ArgumentException("Give formulas on the command line or --input file.csv.");
            }

            var batch = new CompositionBatch(rows.Length);
            var errors = new string?[rows.Length];
            for (var i = 0; i < rows.Length; i++)
            {
                if (!batch.TryAdd(rows[i] ?? string.Empty, out var error))
                {
                    batch.AddEmpty();
                    errors[i] = error.Message;
                }
            }

            var width = featurizer.FeatureLabels.Count;
            var features = new float[rows.Length * width];
            BatchFeaturizer.Featurize(featurizer, batch, features, cancellationToken: ct);
            var mean = new float[rows.Length];
            var std = new float[rows.Length];
            onnx.Predict(features, rows.Length, mean, std);
            var table = new ColumnTable(
            [
                new StringColumn("formula", rows),
                new DoubleColumn("prediction", [.. mean.Select(v => (double)v)]),
                new DoubleColumn("std", [.. std.Select(v => (double)v)]),
                new StringColumn("error", errors),
            ]);
            if (parse.GetValue(output) is { } target)
            {
                await TableWriter.WriteAsync(table, target.FullName, ct).ConfigureAwait(false);
                await context.Output.WriteLineAsync($"{rows.Length} predictions ({manifest.Target}, {manifest.Units}) written to {target.FullName}.").ConfigureAwait(false);
            }
            else
            {
                for (var i = 0; i < rows.Length; i++)
                {
                    await context.Output.WriteLineAsync(errors[i] is null
                        ? string.Create(CultureInfo.InvariantCulture, $"{rows[i]}\t{mean[i]:0.####} ± {std[i]:0.####} {manifest.Units}")
                        : $"{rows[i]}\terror: {errors[i]}").ConfigureAwait(false);
                }
            }

            return 0;
        });
        return command;
    }

    // The options train and evaluate share: the data, the preset and the trainer settings.
    private sealed class TrainingOptions
    {
        public TrainingOptions(Command command)
        {
            Preset.AcceptOnlyFromAmong([.. FeaturizerPresets.Names]);
            foreach (var option in new Option[] { Dataset, Preset, Iterations, Leaves, LearningRate })
            {
                command.Options.Add(option);
            }
        }

        public Option<string> Dataset { get; } = new("--dataset", "-d") { Description = "Catalog regression dataset id, or a CSV with formula,target columns.", Required = true };

        public Option<string> Preset { get; } = new("--preset", "-p") { Description = "Featurizer preset.", DefaultValueFactory = _ => "ward2016" };

        public Option<int> Iterations { get; } = new("--iterations") { Description = "Boosting rounds.", DefaultValueFactory = _ => new LightGbmOptions().Iterations };

        public Option<int> Leaves { get; } = new("--leaves") { Description = "Leaves per tree.", DefaultValueFactory = _ => new LightGbmOptions().Leaves };

        public Option<double> LearningRate { get; } = new("--learning-rate") { Description = "Shrinkage per round.", DefaultValueFactory = _ => new LightGbmOptions().LearningRate };

        public async Task<(TrainingData Data, LightGbmOptions Options)> LoadAsync(ParseResult parse, CliContext context, CancellationToken cancellationToken)
        {
            var options = new LightGbmOptions { Iterations = parse.GetValue(Iterations), Leaves = parse.GetValue(Leaves), LearningRate = parse.GetValue(LearningRate) };
            if (options.Iterations < 1 || options.Leaves < 2 || !(options.LearningRate > 0 && options.LearningRate <= 1))
            {
                throw new ArgumentException($"Need --iterations ≥ 1, --leaves ≥ 2 and 0 < --learning-rate ≤ 1; got {options.Iterations}, {options.Leaves}, {options.LearningRate.ToString(CultureInfo.InvariantCulture)}.");
            }

            var data = await TrainingData.LoadAsync(parse.GetValue(Dataset)!, parse.GetValue(Preset)!, context.Store, cancellationToken).ConfigureAwait(false);
            return (data, options);
        }
    }

    private static string ModelsRoot() => Environment.GetEnvironmentVariable(ModelsVariable) is { Length: > 0 } root ? root : Path.GetFullPath("models");

    private static string ResolveModel(string model)
    {
        if (Directory.Exists(model))
        {
            return Path.GetFullPath(model);
        }

        var byId = Path.Combine(ModelsRoot(), model);
        return Directory.Exists(byId)
            ? byId
            : throw new ArgumentException($"Model '{model}' is neither a package folder nor a package in {ModelsRoot()}; 'materialsdb models list' shows the packages.");
    }
}
