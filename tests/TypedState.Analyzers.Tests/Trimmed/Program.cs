using TypedState;
using TypedState.InMemory;

await using var state = new InMemoryStateManager();
if (args is ["untyped"])
{
    await UntypedAsync(state);
    return;
}

// Generated state: its serializer is source-generated, so trimming keeps everything it needs.
var counter = await Counter.LoadAsync(state);
counter.Value.Hits = 41;
counter.Value.Names.Add("trimmed");
await counter.SaveAsync();
var loaded = await Counter.LoadAsync(state);
Console.WriteLine($"hits={loaded.Value.Hits} names={string.Join(',', loaded.Value.Names)} version={loaded.Version}");

static async Task UntypedAsync(IStateManager state) =>
    await state.SetAsync(StateOwner.Global, "untyped", 1); // IL2026 IL3050

[GlobalState]
public partial class Counter
{
    public int Hits { get; set; }

    public List<string> Names { get; set; } = [];
}
