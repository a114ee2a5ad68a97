using BenchmarkDotNet.Running;

// `interleaved` runs the same comparisons outside BenchmarkDotNet, alternating raw and TypedState blocks so
// that machine noise hits both sides alike (see README.md); anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "interleaved")
{
    return TypedState.Benchmarks.Interleaved.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
