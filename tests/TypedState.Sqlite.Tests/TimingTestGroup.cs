namespace TypedState.Tests.Sqlite;

/// <summary>
/// Tests that measure how late the thread pool and timers run: they run alone, so the other test classes of this
/// assembly (which also keep pool threads busy) do not disturb what they measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingTestGroup
{
    public const string Name = "Timing";
}
