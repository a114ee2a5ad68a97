namespace TypedState.Tests.Sqlite;

/// <summary>A clock a test moves by hand, to pass a retention without waiting for it.</summary>
internal sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => Now;
}
