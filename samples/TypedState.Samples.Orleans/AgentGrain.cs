using Orleans.Storage;

namespace TypedState.Samples.Orleans;

/// <summary>An agent as a grain: key "guild/agent".</summary>
public interface IAgentGrain : IGrainWithStringKey
{
    /// <summary>Hears a message; answers with what it remembers and the silo it runs on.</summary>
    Task<string> HearAsync(string message);
}

public sealed class AgentGrain(
    [PersistentState("memory", Program.StorageName)] IPersistentState<AgentMemory> memory,
    [PersistentState("journal", Program.StorageName)] IPersistentState<GuildJournal> journal,
    ILocalSiloDetails silo) : Grain, IAgentGrain
{
    public async Task<string> HearAsync(string message)
    {
        memory.State.Turns++;
        memory.State.Heard.Add(message);
        await memory.WriteStateAsync();

        var agent = this.GetPrimaryKeyString();
        await AppendToJournalAsync($"{agent}: {message}");
        return $"{agent} (turn {memory.State.Turns}, on {silo.Name}) heard '{message}'";
    }

    // The journal is shared by the guild's agents, which may run on the other silo: a stale ETag is a conflict, and
    // the grain re-reads the journal and appends again (nothing was written by the refused attempt).
    private async Task AppendToJournalAsync(string entry)
    {
        for (var attempt = 1; ; attempt++)
        {
            journal.State.Entries.Add(entry);
            try
            {
                await journal.WriteStateAsync();
                return;
            }
            catch (InconsistentStateException) when (attempt < 10)
            {
                await journal.ReadStateAsync();
            }
        }
    }
}
