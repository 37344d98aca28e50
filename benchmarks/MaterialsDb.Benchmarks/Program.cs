using BenchmarkDotNet.Running;

// Pick benchmarks with --filter, e.g.: dotnet run -c Release --project benchmarks/MaterialsDb.Benchmarks -- --filter '*Formula*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
