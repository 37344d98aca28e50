using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using MaterialsDb.Chemistry;
using MaterialsDb.Cli.Output;
using MaterialsDb.Data.Tables;
using MaterialsDb.Features;
using MaterialsDb.Models.ElementSources;
using MaterialsDb.Models.Packages;
using MaterialsDb.Screening.Prediction;
using MaterialsDb.Screening.Resources;
using MaterialsDb.Training;
using MaterialsDb.Training.Attention;
using MaterialsDb.Training.Discovery;

namespace MaterialsDb.Cli.Commands;

/// <summary><c>materialsdb models train | evaluate | list</c> and <c>materialsdb predict</c>.</summary>
internal static class ModelsCommand
{
    public static Command Create(CliContext context)
    {
        var train = new Command("train", "Train an ensemble of LightGBM, MLP or attention members (one per Matbench fold) and write a model package: ONNX files + manifest.json with cross-validated metrics.");
        var trainInputs = new TrainingOptions(train);
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Package folder to write, e.g. models/my-model.", Required = true };
        var id = new Option<string?>("--id") { Description = "Model id (default: the folder name)." };
        var noCalibration = new Option<bool>("--no-calibration") { Description = "Skip the calibration ensemble (five more members inside fold 0's training rows; it doubles training time): σ is then the raw member spread, which is too small (see docs/models.md)." };
        train.Options.Add(output);
        train.Options.Add(id);
        train.Options.Add(noCalibration);
        train.SetAction(async (parse, ct) =>
        {
            var (data, options) = await trainInputs.LoadAsync(parse, context, ct).ConfigureAwait(false);
            var folder = parse.GetValue(output)!.FullName;
            var command = $"materialsdb models train --dataset {parse.GetValue(trainInputs.Dataset)} --preset {data.Featurizer.Id}{(parse.GetValue(trainInputs.Units) is { } u ? $" --units \"{u}\"" : string.Empty)}{(parse.GetValue(trainInputs.Task) is { } task ? $" --task {task}" : string.Empty)} {options.CommandLine()}{(parse.GetValue(noCalibration) ? " --no-calibration" : string.Empty)} --out models/{Path.GetFileName(folder)}";
            var report = EnsembleTrainer.Train(folder, data.Featurizer, data.Features, data.Targets, new EnsembleTrainer.Description(parse.GetValue(id) ?? Path.GetFileName(folder), data.Name, data.Units, data.Dataset, command, data.Task), options, line => context.Error.WriteLine(line), calibrate: !parse.GetValue(noCalibration), test: data.Test);
            await context.Output.WriteAsync(report.Classification?.ToMarkdown() ?? report.CrossValidation.ToMarkdown(data.Units)).ConfigureAwait(false);
            if (report.Calibration is { } c)
            {
                await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Uncertainty: σ = ensemble spread × {c.Scale:0.###}; held-out errors within 1σ {c.Within1Sigma:P1}, within 2σ {c.Within2Sigma:P1}.")).ConfigureAwait(false);
            }

            if (report.ProbabilityCalibration is { } pc)
            {
                await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Probabilities: Platt scaling a = {pc.Calibration.A:0.###}, b = {pc.Calibration.B:0.###}; held-out calibration error {pc.RawCalibrationError:0.####} → {pc.CalibrationError:0.####}, Brier {pc.RawBrier:0.####} → {pc.Brier:0.####}.")).ConfigureAwait(false);
            }

            if (report.Test is { } t)
            {
                await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Test split ({t.TestRows} rows): MAE {MetricText.Of(t.Mae)} {data.Units}, RMSE {MetricText.Of(t.Rmse)} (training median as every prediction: MAE {MetricText.Of(report.TestMedianBaselineMae)}); within 1σ {report.TestWithin1Sigma:P1}, 2σ {report.TestWithin2Sigma:P1}.")).ConfigureAwait(false);
            }

            if (report.ClassificationTest is { } ct2)
            {
                await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Test split ({ct2.TestRows} rows): ROC-AUC {ct2.RocAuc:0.####}, accuracy {ct2.Accuracy:0.####}.")).ConfigureAwait(false);
            }

            await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Trained in {report.TrainingTime.TotalSeconds:0} s; package with {ModelCard.FileName} written to {folder}.")).ConfigureAwait(false);
            return 0;
        });

        var evaluate = new Command("evaluate", "Evaluate a recipe. matbench: Matbench v0.1 5-fold cross-validation (folds as KFold(5, shuffle=True, random_state=18012019)): per-fold MAE, RMSE, max error and mean ± std. discovery: how well predicted formation energies find stable compounds (leave-out splits and CritExam; see docs/models.md). As Markdown, optionally JSON.");
        var evalInputs = new TrainingOptions(evaluate);
        var protocol = new Option<string>("--protocol") { Description = "Evaluation protocol: matbench or discovery.", DefaultValueFactory = _ => "matbench" };
        protocol.AcceptOnlyFromAmong("matbench", "discovery");
        var json = new Option<FileInfo?>("--json") { Description = "Also write the result as JSON to this file." };
        var discovery = new DiscoveryOptions(evaluate);
        var blend = new Option<string?>("--blend") { Description = "Matbench, no training: score these packages (comma-separated ids or folders, trained on one dataset's Matbench folds with one preset) on the folds their members were held out from, averaging the packages' members per fold: the cross-validated error of blending their recipes." };
        evaluate.Options.Add(protocol);
        evaluate.Options.Add(json);
        evaluate.Options.Add(blend);
        evaluate.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(protocol) == "discovery")
            {
                return await DiscoveryAsync(parse, context, evalInputs, discovery, parse.GetValue(json), ct).ConfigureAwait(false);
            }

            if (discovery.Given(parse) is { } misplaced)
            {
                throw new InvalidOptionException($"{misplaced} applies to --protocol discovery only.");
            }

            if (parse.GetValue(blend) is { } blended)
            {
                return await BlendAsync(parse, context, evalInputs, blended, ct).ConfigureAwait(false);
            }

            var (data, options) = await evalInputs.LoadAsync(parse, context, ct).ConfigureAwait(false);
            var scratch = Path.Combine(Path.GetTempPath(), "materialsdb-evaluate-" + Guid.NewGuid().ToString("N"));
            try
            {
                var trained = EnsembleTrainer.Train(scratch, data.Featurizer, data.Features, data.Targets, new EnsembleTrainer.Description("evaluation", data.Name, data.Units, data.Dataset, "models evaluate", data.Task), options, line => context.Error.WriteLine(line), calibrate: false);
                var cv = trained.CrossValidation;
                if (trained.Classification is { } classes)
                {
                    await context.Output.WriteAsync(classes.ToMarkdown()).ConfigureAwait(false);
                    if (parse.GetValue(json) is { } classFile)
                    {
                        var classReport = new { dataset = data.Name, protocol = "matbench-v0.1", task = data.Task, preset = data.Featurizer.Id, hyperparameters = options.ToDictionary(), folds = classes.Folds, roc_auc_mean = classes.RocAucMean, roc_auc_std = classes.RocAucStd, accuracy_mean = classes.AccuracyMean, f1_mean = classes.F1Mean };
                        await File.WriteAllTextAsync(classFile.FullName, JsonSerializer.Serialize(classReport, new JsonSerializerOptions { WriteIndented = true }), ct).ConfigureAwait(false);
                    }

                    return 0;
                }

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

        var listFormat = TableOutput.FormatOption();
        var listJson = TableOutput.JsonOption();
        var list = new Command("list", $"List the model packages (${ModelRegistry.Variable}, else ./models, else the install's models/): id, target, units, preset, members, cross-validated MAE (regressors) or ROC-AUC (classifiers), folder.") { listFormat, listJson };
        list.SetAction(async (parse, _) =>
        {
            var registry = ModelRegistry.FromEnvironment();
            var rows = registry.Packages().Select(folder =>
            {
                var m = ModelManifest.Read(Path.Combine(folder, ModelRegistry.ManifestFile));
                return new object?[] { m.Id, m.Target, m.Units, m.Preset, m.Files.Count, m.Metrics?.TryGetValue("mae_mean", out var mae) == true ? mae : null, m.Metrics?.TryGetValue("roc_auc_mean", out var auc) == true ? auc : null, folder };
            });
            await TableOutput.WriteAsync(context.Output, TableOutput.Resolve(parse.GetValue(listFormat), parse.GetValue(listJson), context.Output), ["id", "target", "units", "preset", "members", "mae_mean", "roc_auc_mean", "folder"], rows).ConfigureAwait(false);
            return 0;
        });

        var onnxFile = new Argument<FileInfo>("onnx") { Description = "The ONNX file: float32 [N, F] features in, float32 [N, 1] prediction out (optionally a second [N, 1] uncertainty output)." };
        var registerId = new Option<string>("--id") { Description = "Id to register under (a folder of that name in the models folder).", Required = true };
        var target = new Option<string>("--target") { Description = "Name of the predicted property.", Required = true };
        var units = new Option<string>("--units") { Description = "Units of the prediction, e.g. eV/atom.", Required = true };
        var registerPreset = new Option<string>("--preset", "-p") { Description = "Featurizer preset whose features the model reads, in that order.", Required = true };
        registerPreset.AcceptOnlyFromAmong([.. FeaturizerPresets.Names]);
        var inputName = new Option<string?>("--input-name") { Description = "Input tensor name (default: the graph's only input)." };
        var outputName = new Option<string?>("--output-name") { Description = "Prediction output name (default: the graph's first output)." };
        var uncertaintyName = new Option<string?>("--uncertainty-output") { Description = "Name of a [N, 1] standard-deviation output, if the model has one." };
        var register = new Command("register", "Register your own ONNX regression model as a package in the models folder; it is then used like the shipped ones (predict, screen).")
        {
            onnxFile, registerId, target, units, registerPreset, inputName, outputName, uncertaintyName,
        };
        register.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(onnxFile)!;
            var featurizer = FeaturizerPresets.Create(parse.GetValue(registerPreset)!, await MagpieElementData.LoadAsync(context.Store, cancellationToken: ct).ConfigureAwait(false));
            var (graphInput, graphOutput) = parse.GetValue(inputName) is { } given && parse.GetValue(outputName) is { } givenOutput ? (given, givenOutput) : ModelRegistration.GraphNames(file.FullName);
            var registry = ModelRegistry.FromEnvironment();
            Directory.CreateDirectory(registry.Root);
            var folder = ModelRegistration.Register(registry, new ModelRegistration.Request(
                parse.GetValue(registerId)!, file.FullName, parse.GetValue(target)!, parse.GetValue(units)!,
                parse.GetValue(inputName) ?? graphInput, parse.GetValue(outputName) ?? graphOutput, parse.GetValue(uncertaintyName)), featurizer);
            await context.Output.WriteLineAsync($"Registered '{parse.GetValue(registerId)}' in {folder}.").ConfigureAwait(false);
            return 0;
        });

        return new Command("models", "Train, evaluate, list and register property models.") { train, evaluate, list, register };
    }

    public static Command CreatePredict(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model package folder, or the id of a package in $MATERIALSDB_MODELS (default ./models).", Required = true };
        var formulas = new Argument<string[]>("formulas") { Description = "Formulas to predict.", Arity = ArgumentArity.ZeroOrMore };
        var input = new Option<FileInfo?>("--input", "-i") { Description = "CSV with a 'formula' column (instead of formulas on the command line)." };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Output .csv or .parquet (with --input); default: print." };
        var format = TableOutput.FormatOption();
        var json = TableOutput.JsonOption();
        var compression = CompressionOption.Create();
        var command = new Command("predict", "Predict a property with a model package: formula, prediction, std (ensemble spread). Rows that fail to parse get an error and no prediction.") { model, formulas, input, output, format, json, compression };
        command.SetAction(async (parse, ct) =>
        {
            var folder = ModelRegistry.FromEnvironment().Resolve(parse.GetValue(model)!);
            using var predictor = await FormulaPredictor.LoadAsync(folder, context.Store, ct).ConfigureAwait(false);
            var manifest = predictor.Model.Manifest;
            var compressed = CompressionOption.Value(parse, compression);
            if (compressed != ParquetCompression.Snappy && parse.GetValue(output) is null)
            {
                throw new InvalidOptionException("--compression applies to the --output file; give --input and --output.");
            }

            if (parse.GetValue(input) is { } source && parse.GetValue(output) is { } destination)
            {
                // A file to a file: read, predicted and written a chunk at a time, so memory does not grow with it.
                var written = await InputTable.TransformAsync(source, destination, ["formula"], chunk => Predictions(predictor, chunk.GetStrings("formula"), ct), ct, compressed).ConfigureAwait(false);
                await context.Output.WriteLineAsync($"{written} predictions ({manifest.Target}, {manifest.Units}) written to {destination.FullName}.").ConfigureAwait(false);
                return 0;
            }

            var inputTable = parse.GetValue(input) is { } file ? InputTable.ReadAsText(file, "formula") : null;
            string?[] rows = inputTable?.GetStrings("formula") ?? parse.GetValue(formulas) ?? [];
            if (rows.Length == 0)
            {
                throw new InvalidOptionException("Give formulas on the command line or --input file.csv.");
            }

            var table = Predictions(predictor, rows, ct);
            var (mean, std, errors) = (table.GetDoubles("prediction"), table.GetDoubles("std"), table.GetStrings("error"));
            if (parse.GetValue(output) is { } target)
            {
                await TableWriter.WriteAsync(table, target.FullName, cancellationToken: ct, compression: compressed).ConfigureAwait(false);
                await context.Output.WriteLineAsync($"{rows.Length} predictions ({manifest.Target}, {manifest.Units}) written to {target.FullName}.").ConfigureAwait(false);
            }
            else
            {
                var printed = rows.Select((formula, i) => new object?[] { formula, errors[i] is null ? mean[i] : null, errors[i] is null ? std[i] : null, errors[i] });
                await TableOutput.WriteAsync(context.Output, TableOutput.Resolve(parse.GetValue(format), parse.GetValue(json), context.Output), ["formula", "prediction", "std", "error"], printed,
                    new { model = manifest.Id, target = manifest.Target, units = manifest.Units }).ConfigureAwait(false);
            }

            return 0;
        });
        return command;
    }

    // formula, prediction, std, error for a list of formulas.
    private static ColumnTable Predictions(FormulaPredictor predictor, string?[] formulas, CancellationToken ct)
    {
        var (mean, std, errors) = predictor.Predict(formulas, ct);
        return new ColumnTable(
        [
            new StringColumn("formula", formulas),
            new DoubleColumn("prediction", [.. mean.Select(v => (double)v)]),
            new DoubleColumn("std", [.. std.Select(v => (double)v)]),
            new StringColumn("error", errors),
        ]);
    }

    // models evaluate --blend a,b: the packages' members on the folds they were held out from, averaged per fold.
    private static async Task<int> BlendAsync(ParseResult parse, CliContext context, TrainingOptions inputs, string blended, CancellationToken ct)
    {
        if (inputs.Given(parse, except: [inputs.Units]) is { } misplaced)
        {
            throw new InvalidOptionException($"--blend scores trained packages on their own dataset and preset; drop {misplaced}.");
        }

        var registry = ModelRegistry.FromEnvironment();
        var ids = blended.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (ids.Length is < 1 or > 8)
        {
            throw new InvalidOptionException($"--blend takes 1 to 8 comma-separated packages; got '{blended}'.");
        }

        var folders = ids.Select(registry.Resolve).ToArray();
        var manifest = ModelManifest.Read(Path.Combine(folders[0], ModelRegistry.ManifestFile));
        var dataset = manifest.Dataset?.Id ?? throw new InvalidOptionException($"Package '{ids[0]}' names no catalog dataset, so its folds cannot be rebuilt.");
        foreach (var (folder, other) in folders.Select(f => (f, ModelManifest.Read(Path.Combine(f, ModelRegistry.ManifestFile)))))
        {
            if (other.Preset != manifest.Preset || other.Dataset?.Id != dataset)
            {
                throw new InvalidOptionException($"Package '{other.Id}' (preset {other.Preset}, dataset {other.Dataset?.Id ?? "none"}) was not trained on the Matbench folds of {dataset} with preset {manifest.Preset} like '{manifest.Id}'; only such packages blend.");
            }
        }

        var data = await TrainingData.LoadAsync(dataset, manifest.Preset, context.Store, parse.GetValue(inputs.Units), ct).ConfigureAwait(false);
        var models = new List<OnnxModel>();
        try
        {
            foreach (var folder in folders)
            {
                models.Add(OnnxModel.Load(folder, data.Featurizer));
            }

            var cv = HeldOutBlend.Score(models, data);
            await context.Output.WriteAsync(cv.ToMarkdown(data.Units)).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            foreach (var model in models)
            {
                model.Dispose();
            }
        }
    }

    // models evaluate --protocol discovery: the recipe of a package (--model) or of the options, on each split asked for.
    private static async Task<int> DiscoveryAsync(ParseResult parse, CliContext context, TrainingOptions inputs, DiscoveryOptions discovery, FileInfo? json, CancellationToken ct)
    {
        var splits = discovery.SplitNames(parse);
        string? folder = null;
        TrainingData? data = null;
        string preset;
        TrainerOptions options;
        if (parse.GetValue(discovery.Model) is { } id)
        {
            if (inputs.Given(parse, except: [inputs.Dataset, inputs.Units]) is { } misplaced)
            {
                throw new InvalidOptionException($"--model takes the preset and trainer settings from the package; drop {misplaced}.");
            }

            folder = ModelRegistry.FromEnvironment().Resolve(id);
            var manifest = ModelManifest.Read(Path.Combine(folder, ModelRegistry.ManifestFile));
            options = TrainerRecipes.FromHyperparameters(manifest.Hyperparameters ?? throw new InvalidOptionException($"Model '{id}' records no trainer settings (a registered model?); give --dataset and trainer options instead."));
            options = await AttentionOptions.WithEmbeddingAsync(options, context.Store, ct).ConfigureAwait(false);
            preset = manifest.Preset;
            if (splits.Any(s => s != DiscoveryProtocol.CritExam))
            {
                // The package's own data unless --dataset names other data to judge the recipe on.
                var dataset = parse.GetValue(inputs.Dataset) ?? manifest.Dataset?.Id ?? throw new InvalidOptionException($"Model '{id}' names no catalog dataset; give --dataset.");
                data = await TrainingData.LoadAsync(dataset, preset, context.Store, parse.GetValue(inputs.Units), ct).ConfigureAwait(false);
            }
        }
        else
        {
            if (parse.GetValue(discovery.UpdateCard))
            {
                throw new InvalidOptionException("--update-card needs --model (the package whose card to update).");
            }

            (data, options) = await inputs.LoadAsync(parse, context, ct).ConfigureAwait(false);
            preset = data.Featurizer.Id;
        }

        if (data is not null && data.Units != "eV/atom")
        {
            throw new InvalidOptionException($"The discovery protocol needs formation energies in eV/atom; '{data.Name}' is in {data.Units} (a CSV states its units with --units eV/atom).");
        }

        var results = new List<ProtocolResult>();
        void Progress(string line) => context.Error.WriteLine(line);
        foreach (var split in splits)
        {
            results.Add(split == DiscoveryProtocol.CritExam
                ? await DiscoveryProtocol.RunCritExamAsync(preset, context.Store, options, Progress, ct).ConfigureAwait(false)
                : DiscoveryProtocol.RunSplit(data!, split, parse.GetValue(discovery.Holdout), parse.GetValue(discovery.Seed), options, Progress));
        }

        var report = new DiscoveryReport(data?.Name ?? DiscoveryProtocol.CritExamFormation, preset, options.CommandLine(), results);
        var markdown = report.ToMarkdown();
        await context.Output.WriteAsync(markdown).ConfigureAwait(false);
        if (json is not null)
        {
            await File.WriteAllTextAsync(json.FullName, JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }), ct).ConfigureAwait(false);
        }

        if (folder is not null && parse.GetValue(discovery.UpdateCard))
        {
            var command = $"materialsdb models evaluate --protocol discovery --model {parse.GetValue(discovery.Model)}{(parse.GetValue(inputs.Dataset) is { } other ? $" --dataset {other}" : string.Empty)} --splits {string.Join(",", splits)} --holdout {parse.GetValue(discovery.Holdout).ToString(CultureInfo.InvariantCulture)} --seed {parse.GetValue(discovery.Seed)}";
            ModelCard.WriteSection(Path.Combine(folder, ModelCard.FileName), "Stability discovery", $"Measured by `{command}` (see docs/models.md).\n\n{markdown.Replace("### ", "#### ", StringComparison.Ordinal)}");
            // Held-out systems are what a screening of new chemistries meets, so their σ scale is the one screening uses.
            if ((results.FirstOrDefault(r => r.Name == "systems") ?? results.FirstOrDefault(r => r.Name == "random")) is { } fit)
            {
                var path = Path.Combine(folder, ModelRegistry.ManifestFile);
                (ModelManifest.Read(path) with { StabilityUncertaintyScale = fit.StabilityCalibration.Scale }).Write(path);
            }

            await context.Output.WriteLineAsync($"Wrote the tables into {Path.Combine(folder, ModelCard.FileName)}.").ConfigureAwait(false);
        }

        return 0;
    }

    // The options only the discovery protocol reads.
    private sealed class DiscoveryOptions
    {
        public DiscoveryOptions(Command command)
        {
            foreach (var option in All)
            {
                command.Options.Add(option);
            }
        }

        public Option<string?> Model { get; } = new("--model", "-m") { Description = "Discovery: re-run the recipe of this model package (its preset and trainer settings, on its dataset unless --dataset says otherwise), e.g. formation-energy." };

        public Option<string> Splits { get; } = new("--splits") { Description = $"Discovery: comma-separated protocols among {string.Join(", ", DiscoveryProtocol.Splits)}, {DiscoveryProtocol.CritExam}.", DefaultValueFactory = _ => string.Join(",", DiscoveryProtocol.Splits.Append(DiscoveryProtocol.CritExam)) };

        public Option<double> Holdout { get; } = new("--holdout") { Description = "Discovery: the held-out share of rows (random) or of chemical systems (systems).", DefaultValueFactory = _ => 0.1 };

        public Option<int> Seed { get; } = new("--seed") { Description = "Discovery: seed of the held-out draw.", DefaultValueFactory = _ => 1 };

        public Option<bool> UpdateCard { get; } = new("--update-card") { Description = "Discovery with --model: write the tables into the package's MODEL_CARD.md." };

        private Option[] All => [Model, Splits, Holdout, Seed, UpdateCard];

        public string? Given(ParseResult parse) => All.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false })?.Name;

        public string[] SplitNames(ParseResult parse)
        {
            var names = parse.GetValue(Splits)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToArray();
            var known = DiscoveryProtocol.Splits.Append(DiscoveryProtocol.CritExam).ToArray();
            var unknown = names.FirstOrDefault(n => !known.Contains(n));
            if (names.Length == 0 || unknown is not null)
            {
                throw new InvalidOptionException($"--splits takes a comma-separated list of {string.Join(", ", known)}; got '{parse.GetValue(Splits)}'.");
            }

            return names;
        }
    }

    // The options train and evaluate share: the data, the preset and the trainer settings.
    private sealed class TrainingOptions
    {
        public TrainingOptions(Command command)
        {
            Preset.AcceptOnlyFromAmong([.. FeaturizerPresets.Names]);
            Task.AcceptOnlyFromAmong([.. TrainingTasks.All]);
            Trainer.AcceptOnlyFromAmong([.. MemberTrainers.Names]);
            foreach (var option in All)
            {
                command.Options.Add(option);
            }
        }

        private Option[] All => [Dataset, Units, Task, Preset, Trainer, Iterations, Leaves, LearningRate, MinLeaf, FeatureFraction, ZeroGate, LogTarget, RobustPasses, RobustDelta, Hidden, Epochs, BatchSize, WeightDecay, Width, MessageLayers];

        /// <summary>The first of these options given on the command line, or null.</summary>
        public string? Given(ParseResult parse, Option[]? except = null) => All.Except(except ?? []).FirstOrDefault(o => parse.GetResult(o) is { Implicit: false })?.Name;

        public Option<string?> Dataset { get; } = new("--dataset", "-d") { Description = "Catalog dataset id (regression or classification), or a CSV with formula,target columns (required unless evaluate --model names a package)." };

        public Option<string?> Units { get; } = new("--units") { Description = "Units of a CSV's target, e.g. eV/atom (catalog datasets state theirs; default: unknown)." };

        public Option<string?> Task { get; } = new("--task") { Description = "A CSV's task: regression (default) or classification (targets 0 or 1; the package predicts P(1)). Catalog datasets state theirs." };

        public Option<string> Preset { get; } = new("--preset", "-p") { Description = "Featurizer preset.", DefaultValueFactory = _ => "ward2016" };

        public Option<string> Trainer { get; } = new("--trainer") { Description = "Member trainer: " + string.Join("; ", MemberTrainers.All.Select(t => $"{t.Name} ({t.Description})")) + ".", DefaultValueFactory = _ => MemberTrainers.All[0].Name };

        public Option<int> Iterations { get; } = new("--iterations") { Description = "LightGBM: boosting rounds.", DefaultValueFactory = _ => new LightGbmOptions().Iterations };

        public Option<int> Leaves { get; } = new("--leaves") { Description = "LightGBM: leaves per tree.", DefaultValueFactory = _ => new LightGbmOptions().Leaves };

        public Option<double?> LearningRate { get; } = new("--learning-rate") { Description = $"LightGBM: shrinkage per round (default {new LightGbmOptions().LearningRate.ToString(CultureInfo.InvariantCulture)}); MLP and attention: peak step size (default {new MlpOptions().LearningRate.ToString(CultureInfo.InvariantCulture)})." };

        public Option<int> MinLeaf { get; } = new("--min-leaf") { Description = "LightGBM: minimum rows per leaf.", DefaultValueFactory = _ => new LightGbmOptions().MinimumRowsPerLeaf };

        public Option<double> FeatureFraction { get; } = new("--feature-fraction") { Description = "LightGBM: share of features each tree may use (0 < f ≤ 1).", DefaultValueFactory = _ => new LightGbmOptions().FeatureFraction };

        public Option<bool> ZeroGate { get; } = new("--zero-gate") { Description = "LightGBM: also train a classifier for target ≠ 0 and predict 0 where it says so (for targets with many exact zeros, like band gaps of metals); its threshold is tuned inside each training fold." };

        public Option<bool> LogTarget { get; } = new("--log-target") { Description = "LightGBM: fit ln(target) and predict exp of it, so predictions stay positive (for positive, heavy-tailed targets such as thermal conductivity; every training target must be > 0)." };

        public Option<int> RobustPasses { get; } = new("--robust-passes") { Description = "LightGBM: reweighted passes towards an absolute-error fit (0 = plain least squares); each costs one more training.", DefaultValueFactory = _ => 0 };

        public Option<double> RobustDelta { get; } = new("--robust-delta") { Description = "LightGBM: residual floor of the robust weights 1/max(|residual|, δ), in the target's units.", DefaultValueFactory = _ => new LightGbmOptions().RobustDelta };

        public Option<string> Hidden { get; } = new("--hidden") { Description = "MLP: hidden layer widths, input side first, comma-separated (attention: its head's).", DefaultValueFactory = _ => string.Join(",", new MlpOptions().Hidden) };

        public Option<int> Epochs { get; } = new("--epochs") { Description = "MLP and attention: passes over the training rows.", DefaultValueFactory = _ => new MlpOptions().Epochs };

        public Option<int> BatchSize { get; } = new("--batch-size") { Description = "MLP and attention: rows per optimizer step.", DefaultValueFactory = _ => new MlpOptions().BatchSize };

        public Option<double> WeightDecay { get; } = new("--weight-decay") { Description = "MLP and attention: decoupled weight decay (AdamW).", DefaultValueFactory = _ => new MlpOptions().WeightDecay };

        public Option<int> Width { get; } = new("--width") { Description = "Attention: width of each element's hidden vector.", DefaultValueFactory = _ => new AttentionOptions().Width };

        public Option<int> MessageLayers { get; } = new("--message-layers") { Description = "Attention: message-passing layers between the elements.", DefaultValueFactory = _ => new AttentionOptions().MessageLayers };

        public async Task<(TrainingData Data, TrainerOptions Options)> LoadAsync(ParseResult parse, CliContext context, CancellationToken cancellationToken)
        {
            var trainer = parse.GetValue(Trainer);
            Option[] trees = [Iterations, Leaves, MinLeaf, FeatureFraction, ZeroGate, LogTarget, RobustPasses, RobustDelta];
            Option[] foreign = trainer switch
            {
                "mlp" => [.. trees, Width, MessageLayers],
                "attention" => trees,
                _ => [Hidden, Epochs, BatchSize, WeightDecay, Width, MessageLayers],
            };
            if (foreign.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } misplaced)
            {
                throw new InvalidOptionException($"{misplaced.Name} does not apply to --trainer {trainer}.");
            }

            TrainerOptions options = trainer switch
            {
                "mlp" => MlpFrom(parse),
                "attention" => AttentionFrom(parse),
                _ => LightGbmFrom(parse),
            };
            options = await AttentionOptions.WithEmbeddingAsync(options, context.Store, cancellationToken).ConfigureAwait(false);
            var dataset = parse.GetValue(Dataset) ?? throw new InvalidOptionException("--dataset is required: a catalog dataset id or a CSV with formula,target columns.");
            var data = await TrainingData.LoadAsync(dataset, parse.GetValue(Preset)!, context.Store, parse.GetValue(Units), cancellationToken, parse.GetValue(Task)).ConfigureAwait(false);
            return (data, options);
        }

        private MlpOptions MlpFrom(ParseResult parse)
        {
            var text = parse.GetValue(Hidden)!;
            var widths = text.Split(',', StringSplitOptions.TrimEntries);
            if (widths.Any(w => !int.TryParse(w, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                throw new InvalidOptionException($"--hidden takes comma-separated layer widths such as 256,128,64; got '{text}'.");
            }

            var options = new MlpOptions
            {
                Hidden = [.. widths.Select(w => int.Parse(w, CultureInfo.InvariantCulture))],
                Epochs = parse.GetValue(Epochs),
                BatchSize = parse.GetValue(BatchSize),
                LearningRate = parse.GetValue(LearningRate) ?? new MlpOptions().LearningRate,
                WeightDecay = parse.GetValue(WeightDecay),
            };
            options.Validate();
            return options;
        }

        private AttentionOptions AttentionFrom(ParseResult parse)
        {
            var options = AttentionOptions.Around(MlpFrom(parse), parse.GetValue(Width), parse.GetValue(MessageLayers));
            options.Validate();
            return options;
        }

        private LightGbmOptions LightGbmFrom(ParseResult parse)
        {
            var options = new LightGbmOptions
            {
                Iterations = parse.GetValue(Iterations),
                Leaves = parse.GetValue(Leaves),
                LearningRate = parse.GetValue(LearningRate) ?? new LightGbmOptions().LearningRate,
                MinimumRowsPerLeaf = parse.GetValue(MinLeaf),
                FeatureFraction = parse.GetValue(FeatureFraction),
                ZeroGate = parse.GetValue(ZeroGate),
                LogTarget = parse.GetValue(LogTarget),
                RobustPasses = parse.GetValue(RobustPasses),
                RobustDelta = parse.GetValue(RobustDelta),
            };
            options.Validate();
            return options;
        }
    }
}
