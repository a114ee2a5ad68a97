using TypedState.Storage;

namespace TypedState;

/// <summary>
/// The scope-aware state store: get, set, delete and list by prefix for agent, guild and global state, with
/// optimistic versions, atomic transactions and owner lifetimes. Safe for concurrent use by many threads.
/// </summary>
public interface IStateManager : IStateOperations
{
    /// <summary>Starts a transaction: its reads see its own writes, and its writes apply together at commit or not at all.</summary>
    ValueTask<IStateTransaction> BeginTransactionAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes all agent state of one agent (the agent's lifetime ended).</summary>
    ValueTask RemoveAgentAsync(string guildId, string agentId, CancellationToken cancellationToken = default);

    /// <summary>Deletes the guild's state and the agent state of every agent of the guild. Global state is untouched.</summary>
    ValueTask RemoveGuildAsync(string guildId, CancellationToken cancellationToken = default);

    /// <summary>Reads the stored bytes of one record without deserializing them (for inspection and tooling).</summary>
    ValueTask<StoredRecord?> GetRecordAsync(StateOwner owner, string key, CancellationToken cancellationToken = default);

    /// <summary>Streams stored records without deserializing them (for inspection and tooling).</summary>
    IAsyncEnumerable<StoredRecord> ListRecordsAsync(StateOwner owner, string prefix, CancellationToken cancellationToken = default);
}
