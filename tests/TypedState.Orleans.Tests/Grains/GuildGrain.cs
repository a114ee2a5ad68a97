namespace TypedState.Orleans.Tests.Grains;

/// <summary>A guild as a grain: key = guild id.</summary>
public interface IGuildGrain : IGrainWithStringKey
{
    Task PostAsync(string note);
}

public sealed class GuildGrain([PersistentState("board", GrainStorageNames.TypedState)] IPersistentState<Board> board) : Grain, IGuildGrain
{
    public async Task PostAsync(string note)
    {
        board.State.Notes.Add(note);
        await board.WriteStateAsync();
    }
}
