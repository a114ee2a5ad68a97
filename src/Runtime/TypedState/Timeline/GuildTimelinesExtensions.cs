using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization.Metadata;
using TypedState.Trimming;

namespace TypedState.Timeline;

/// <summary>
/// Overloads of <see cref="IGuildTimelines"/> that resolve the <see cref="JsonTypeInfo{T}"/> from
/// <see cref="IGuildTimelines.SerializerOptions"/>, and of <see cref="IStateTransaction"/> for appending events.
/// </summary>
public static class GuildTimelinesExtensions
{
    /// <summary>Reads a record as it was at <paramref name="sequence"/>.</summary>
    [RequiresUnreferencedCode(UntypedJson.Message)]
    [RequiresDynamicCode(UntypedJson.Message)]
    public static ValueTask<StateEntry<T>> GetAsOfAsync<T>(this IGuildTimelines timelines, StateOwner owner, string key, long sequence, CancellationToken cancellationToken = default) =>
        timelines.GetAsOfAsync(owner, key, sequence, TypeInfo<T>(timelines), cancellationToken);

    /// <summary>Lists records by literal prefix as they were at <paramref name="sequence"/>.</summary>
    [RequiresUnreferencedCode(UntypedJson.Message)]
    [RequiresDynamicCode(UntypedJson.Message)]
    public static IAsyncEnumerable<StateEntry<T>> ListAsOfAsync<T>(this IGuildTimelines timelines, StateOwner owner, string prefix, long sequence, CancellationToken cancellationToken = default) =>
        timelines.ListAsOfAsync(owner, prefix, sequence, TypeInfo<T>(timelines), cancellationToken);

    /// <summary>Appends a domain event to the timeline of the owner's guild and returns its sequence.</summary>
    [RequiresUnreferencedCode(UntypedJson.Message)]
    [RequiresDynamicCode(UntypedJson.Message)]
    public static ValueTask<long> AppendAsync<TEvent>(this IGuildTimelines timelines, StateOwner owner, TEvent domainEvent, string? eventId = null, CancellationToken cancellationToken = default) =>
        timelines.AppendAsync(owner, domainEvent, TypeInfo<TEvent>(timelines), eventId, cancellationToken);

    /// <summary>Appends a domain event when the transaction commits; returns its id.</summary>
    [RequiresUnreferencedCode(UntypedJson.Message)]
    [RequiresDynamicCode(UntypedJson.Message)]
    public static string Append<TEvent>(this IStateTransaction transaction, StateOwner owner, TEvent domainEvent, string? eventId = null)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return transaction.Append(owner, domainEvent, StateOperationsExtensions.TypeInfoFrom<TEvent>(transaction.SerializerOptions), eventId);
    }

    [RequiresUnreferencedCode(UntypedJson.Message)]
    [RequiresDynamicCode(UntypedJson.Message)]
    private static JsonTypeInfo<T> TypeInfo<T>(IGuildTimelines timelines)
    {
        ArgumentNullException.ThrowIfNull(timelines);
        return StateOperationsExtensions.TypeInfoFrom<T>(timelines.SerializerOptions);
    }
}
