namespace TypedState.Testing;

/// <summary>
/// The behaviour every driver that keeps guild timelines (<see cref="Storage.ITimelineDriver"/>) must show through
/// <see cref="StateManager.Timelines"/>, in the shape of a journal specification: a driver's test class derives from
/// it and only says how to make a fresh, empty driver (<see cref="TimelineConformanceBase.CreateDriverAsync"/>). The
/// tests are split by topic over the partial files next to this one.
/// </summary>
public abstract partial class TimelineConformanceTests : TimelineConformanceBase;
