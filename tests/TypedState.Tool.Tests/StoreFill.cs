using System.Text;
using TypedState.Storage;

namespace TypedState.Tool.Tests;

/// <summary>
/// What the tests put in a store, through the library's driver seam so the bytes are exact: typed records carrying a
/// <c>$version</c>, a plain value, and one record that is not JSON.
/// </summary>
internal static class StoreFill
{
    public const string Guild = "g1";

    public static StateOwner AgentOne => StateOwner.Agent(Guild, "a1");

    public static StateOwner AgentTwo => StateOwner.Agent(Guild, "a2");

    public static async Task FillAsync(StateManager state)
    {
        await WriteAsync(state, StateOwner.Global, "Settings", """{"$version":1,"Mode":"calm"}""");
        await WriteAsync(state, StateOwner.Guild(Guild), "Board", """{"$version":2,"Pins":3}""");
        await WriteAsync(state, AgentOne, "Notes", """{"$version":1,"Count":1}""");
        await WriteAsync(state, AgentTwo, "Notes", """{"$version":2,"Count":2,"Tags":["x"]}""");
        await WriteAsync(state, AgentTwo, "visits/2026", "42");
        await WriteAsync(state, AgentTwo, "visits/2027", "7");
        await WriteAsync(state, AgentOne, "broken", "{not json");
    }

    public static async Task WriteAsync(StateManager state, StateOwner owner, string key, string bytes)
    {
        var result = await state.Driver.CommitAsync(
            [new StateWrite(owner, key, StateWriteKind.Set, Encoding.UTF8.GetBytes(bytes), null)], [], CommitId.New(), CancellationToken.None);
        Assert.True(result.Succeeded, $"The fill of {owner} '{key}' was refused.");
    }
}
