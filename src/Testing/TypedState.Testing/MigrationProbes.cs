using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace TypedState.Testing;

/// <summary>
/// What the migration steps of the probe types do besides migrating, set by one test for its own async flow (an
/// <see cref="AsyncLocal{T}"/>), so tests running in parallel (other driver classes) never see each other's hooks.
/// </summary>
internal sealed class MigrationHooks
{
    private static readonly AsyncLocal<MigrationHooks?> s_current = new();

    /// <summary>The hooks of the calling flow, if its test installed any.</summary>
    public static MigrationHooks? Current => s_current.Value;

    /// <summary>The step invocations seen, in order: the record's id and the version the step started from.</summary>
    public ConcurrentQueue<(string Id, int From)> Steps { get; } = new();

    /// <summary>When it returns true for a record's id, step v2→v3 throws <see cref="ProbeStepException"/>.</summary>
    public Func<string, bool>? ThrowFor { get; set; }

    /// <summary>When it returns true for a record's id, step v2→v3 produces a document the type cannot read.</summary>
    public Func<string, bool>? BreakShapeFor { get; set; }

    /// <summary>Called at the start of step v2→v3 with the record's id (e.g. to write concurrently).</summary>
    public Action<string>? BeforeLastStep { get; set; }

    /// <summary>Installs hooks for the calling flow (a synchronous method, so the caller's context is the one changed).</summary>
    public static IDisposable Install(MigrationHooks hooks)
    {
        var previous = s_current.Value;
        s_current.Value = hooks;
        return new Restore(previous);
    }

    /// <summary>How many times a step starting at <paramref name="from"/> ran for <paramref name="id"/>.</summary>
    public int CountOf(string id, int from) => Steps.Count(s => s.Id == id && s.From == from);

    /// <summary>The ids a step starting at <paramref name="from"/> ran for.</summary>
    public HashSet<string> IdsOf(int from) => [.. Steps.Where(s => s.From == from).Select(s => s.Id)];

    private sealed class Restore(MigrationHooks? previous) : IDisposable
    {
        public void Dispose() => s_current.Value = previous;
    }
}

/// <summary>The failure a probe's migration step raises on request.</summary>
internal sealed class ProbeStepException : Exception
{
    public ProbeStepException()
    {
    }

    public ProbeStepException(string message)
        : base(message)
    {
    }

    public ProbeStepException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The migration chain the probe types share. Version 1 stored <c>{"id","name","count"}</c>; version 2 renamed
/// <c>name</c> to <c>title</c>; version 3 renamed <c>count</c> to <c>visits</c>. Each step appends itself to
/// <c>trail</c>, so a stored document shows which steps made it.
/// </summary>
internal static class ProbeSteps
{
    public static void V1ToV2(JsonObject state)
    {
        var id = IdOf(state);
        MigrationHooks.Current?.Steps.Enqueue((id, 1));
        state["title"] = state["name"]?.DeepClone();
        state.Remove("name");
        Trail(state).Add("v1>v2");
    }

    public static void V2ToV3(JsonObject state)
    {
        var id = IdOf(state);
        var hooks = MigrationHooks.Current;
        hooks?.Steps.Enqueue((id, 2));
        hooks?.BeforeLastStep?.Invoke(id);
        if (hooks?.ThrowFor?.Invoke(id) == true)
        {
            throw new ProbeStepException($"probe step v2>v3 refused record '{id}'");
        }

        state["visits"] = state["count"]?.DeepClone();
        state.Remove("count");
        Trail(state).Add("v2>v3");
        if (hooks?.BreakShapeFor?.Invoke(id) == true)
        {
            state["visits"] = "not a number";
        }
    }

    /// <summary>A version 1 document.</summary>
    public static string V1(string id, string name, int count) => $"{{\"id\":\"{id}\",\"name\":\"{name}\",\"count\":{count}}}";

    /// <summary>A version 2 document.</summary>
    public static string V2(string id, string title, int count) => $"{{\"$version\":2,\"id\":\"{id}\",\"title\":\"{title}\",\"count\":{count},\"trail\":[]}}";

    /// <summary>A version 3 document as the serializer writes it.</summary>
    public static string V3(string id, string title, int visits, params string[] trail) =>
        $"{{\"$version\":3,\"id\":\"{id}\",\"title\":\"{title}\",\"visits\":{visits},\"trail\":[{string.Join(",", trail.Select(t => $"\"{t}\""))}]}}";

    private static string IdOf(JsonObject state) => state["id"]?.GetValue<string>() ?? "(no id)";

    private static JsonArray Trail(JsonObject state)
    {
        if (state["trail"] is JsonArray trail)
        {
            return trail;
        }

        trail = [];
        state["trail"] = trail;
        return trail;
    }
}

/// <summary>Agent-scoped probe at version 3 (see <see cref="ProbeSteps"/>).</summary>
[AgentState(Version = 3, Key = "probe")]
internal partial class AgentProbe
{
    public string Id { get; set; } = "";

    public string Title { get; set; } = "";

    public int Visits { get; set; }

    public List<string> Trail { get; set; } = [];

    private static void MigrateV1ToV2(JsonObject state) => ProbeSteps.V1ToV2(state);

    private static void MigrateV2ToV3(JsonObject state) => ProbeSteps.V2ToV3(state);
}

/// <summary>Guild-scoped probe at version 3 (see <see cref="ProbeSteps"/>).</summary>
[GuildState(Version = 3, Key = "probe")]
internal partial class GuildProbe
{
    public string Id { get; set; } = "";

    public string Title { get; set; } = "";

    public int Visits { get; set; }

    public List<string> Trail { get; set; } = [];

    private static void MigrateV1ToV2(JsonObject state) => ProbeSteps.V1ToV2(state);

    private static void MigrateV2ToV3(JsonObject state) => ProbeSteps.V2ToV3(state);
}

/// <summary>Global-scoped probe at version 3 (see <see cref="ProbeSteps"/>).</summary>
[GlobalState(Version = 3, Key = "probe")]
internal partial class GlobalProbe
{
    public string Id { get; set; } = "";

    public string Title { get; set; } = "";

    public int Visits { get; set; }

    public List<string> Trail { get; set; } = [];

    private static void MigrateV1ToV2(JsonObject state) => ProbeSteps.V1ToV2(state);

    private static void MigrateV2ToV3(JsonObject state) => ProbeSteps.V2ToV3(state);
}
