using System.Globalization;

namespace TypedState.Benchmarks;

/// <summary>
/// The options the interleaved harnesses (<c>interleaved</c>, <c>drivers</c>) share, parsed once:
/// <c>--rounds N</c>, <c>--block-ms MS</c>, <c>--seconds S</c>, <c>--filter TEXT</c>, <c>--driver NAME</c>, <c>--aa</c>, <c>--cpu</c>
/// (and those of <c>parity</c>, <c>pg-client</c> and <c>redis-server-time</c>, documented below).
/// Each mode says which of them it accepts; anything else is refused with its usage line.
/// </summary>
internal sealed class BenchmarkArguments
{
    public int Rounds { get; private set; } = 40;

    public double BlockMs { get; private set; } = 25.0;

    public double Seconds { get; private set; } = 2.0;

    public string? Filter { get; private set; }

    /// <summary>The one driver to run (<c>--driver</c>, case-insensitive), or null for all.</summary>
    public string? Driver { get; private set; }

    public bool AA { get; private set; }

    /// <summary><c>--cpu</c>: time blocks with the calling thread's CPU time.</summary>
    public bool CpuClock { get; private set; }

    /// <summary><c>--process-cpu</c> (parity): time blocks with the whole process's CPU time.</summary>
    public bool ProcessCpuClock { get; private set; }

    /// <summary><c>--alloc-profile</c> (parity): print each row's allocations by type instead of timing it.</summary>
    public bool AllocationProfile { get; private set; }

    /// <summary><c>--server-stats</c> (parity, PostgreSQL): print each row's server time per statement (pg_stat_statements).</summary>
    public bool ServerStats { get; private set; }

    /// <summary><c>--runs N</c> (redis-server-time): how many rounds of measurements, or null for the mode's default.</summary>
    public int? Runs { get; private set; }

    /// <summary><c>--ops N</c> (redis-server-time): operations per measurement, or null for the mode's default.</summary>
    public int? Operations { get; private set; }

    /// <summary>
    /// Whether a comparison's name passes <c>--filter</c>: it contains the text (case-insensitive), or one of its
    /// <c>|</c>-separated alternatives ("as-of|rebuild").
    /// </summary>
    public bool Selected(string name) =>
        Filter is null || Filter.Split('|').Any(alternative => name.Contains(alternative, StringComparison.OrdinalIgnoreCase));

    /// <summary>Parses <paramref name="args"/>; null (after printing <paramref name="usage"/>) for an unknown or unaccepted option.</summary>
    public static BenchmarkArguments? Parse(string[] args, string usage, params string[] accepted)
    {
        var parsed = new BenchmarkArguments();
        for (var i = 0; i < args.Length; i++)
        {
            var hasValue = i + 1 < args.Length;
            switch (Array.IndexOf(accepted, args[i]) < 0 ? null : args[i])
            {
                case "--rounds" when hasValue:
                    parsed.Rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--block-ms" when hasValue:
                    parsed.BlockMs = double.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--seconds" when hasValue:
                    parsed.Seconds = double.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--driver" when hasValue:
                    parsed.Driver = args[++i];
                    break;
                case "--filter" when hasValue:
                    parsed.Filter = args[++i];
                    break;
                case "--aa":
                    parsed.AA = true;
                    break;
                case "--cpu":
                    parsed.CpuClock = true;
                    break;
                case "--process-cpu":
                    parsed.ProcessCpuClock = true;
                    break;
                case "--alloc-profile":
                    parsed.AllocationProfile = true;
                    break;
                case "--server-stats":
                    parsed.ServerStats = true;
                    break;
                case "--runs" when hasValue:
                    parsed.Runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--ops" when hasValue:
                    parsed.Operations = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: {usage}");
                    return null;
            }
        }

        return parsed;
    }
}
