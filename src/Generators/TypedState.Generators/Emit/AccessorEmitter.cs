using TypedState.Generators.Model;

namespace TypedState.Generators.Emit;

/// <summary>
/// Writes the typed accessors of a state type (<c>LoadAsync</c>, <c>SaveAsync</c>, <c>DeleteAsync</c>,
/// <c>UpdateAsync</c>): thin calls into <c>StateAccessors</c>, one set per way to name the owner (a scoped state or an
/// agent context for agent state; a store and the guild id, or the store alone, for guild and global state).
/// </summary>
internal static class AccessorEmitter
{
    private const string Self = StateTypeEmitter.Self;
    private const string Tracked = StateTypeEmitter.Tracked;
    private const string Accessors = StateTypeEmitter.Accessors;
    private const string Cancellation = StateTypeEmitter.Cancellation;
    private const string Tasks = "global::System.Threading.Tasks";
    private const string AgentContextParameter = "global::TypedState.Guilds.AgentContext context";

    public static void Emit(CodeWriter code, StateTypeModel model)
    {
        var type = $"<see cref=\"{model.Type.Name}\"/>";
        var whose = model.Kind switch
        {
            StateKind.Agent => "this agent's",
            StateKind.Guild => "the guild's",
            _ => "the application's",
        };

        EmitForOwner(code, model, "__ScopedState state", "state", $"{whose} {type}", " Save it with <c>SaveAsync</c> on the result.");
        if (model.Kind == StateKind.Agent)
        {
            code.Line($"/// <summary>Loads {whose} {type}; a new default instance when none is stored.</summary>");
            code.Line($"public static {Tracked} LoadAsync({AgentContextParameter}, {Cancellation}) => LoadAsync({Accessors}.StateOf(context), cancellationToken);");
            code.Line();
            EmitUpdates(code, model, AgentContextParameter, $"{Accessors}.StateOf(context)", $"Loads {whose} {type}");
        }
        else
        {
            var (store, owner, ownerDoc) = model.Kind == StateKind.Guild
                ? ("__Store store, string guildId", "global::TypedState.StateOwner.Guild(guildId)", "of guild <paramref name=\"guildId\"/>")
                : ("__Store store", "global::TypedState.StateOwner.Global", "(application-wide)");
            EmitForOwner(code, model, store, $"store, {owner}", $"the {type} {ownerDoc}", string.Empty);
        }
    }

    /// <summary>
    /// Load, save, delete and update for one way to name the owner: <paramref name="parameter"/> declares it,
    /// <paramref name="owner"/> passes it on, <paramref name="subject"/> names the record in the summaries.
    /// </summary>
    private static void EmitForOwner(CodeWriter code, StateTypeModel model, string parameter, string owner, string subject, string loadNote)
    {
        code.Line($"/// <summary>Loads {subject}; a new default instance when none is stored.{loadNote}</summary>");
        code.Line($"public static {Tracked} LoadAsync({parameter}, {Cancellation}) => {Accessors}.LoadAsync<{Self}>({owner}, cancellationToken);");
        code.Line();
        code.Line($"/// <summary>Stores {subject}, expecting the record at <paramref name=\"expectedVersion\"/> (0: absent; null: any version, but never over a record a newer build wrote).</summary>");
        code.Line($"public static {Tasks}.ValueTask<long> SaveAsync({parameter}, {Self} value, long? expectedVersion = null, {Cancellation}) => {Accessors}.SaveAsync<{Self}>({owner}, value, expectedVersion, cancellationToken);");
        code.Line();
        code.Line($"/// <summary>Deletes {subject}; returns whether it existed.</summary>");
        code.Line($"public static {Tasks}.ValueTask<bool> DeleteAsync({parameter}, long? expectedVersion = null, {Cancellation}) => {Accessors}.DeleteAsync<{Self}>({owner}, expectedVersion, cancellationToken);");
        code.Line();
        EmitUpdates(code, model, parameter, owner, $"Loads {subject}");
    }

    /// <summary>The two <c>UpdateAsync</c> overloads (the mutating one for classes and records only); <paramref name="loads"/> opens their summary.</summary>
    private static void EmitUpdates(CodeWriter code, StateTypeModel model, string parameter, string argument, string loads)
    {
        var summary = "/// <summary>" + loads;
        code.Line($"{summary}, applies <paramref name=\"change\"/> and saves; on a conflict it loads again and re-applies the change.</summary>");
        code.Line($"public static {Tracked} UpdateAsync({parameter}, global::System.Func<{Self}, {Self}> change, {Cancellation}) => {Accessors}.UpdateAsync<{Self}>({argument}, change, cancellationToken);");
        code.Line();
        if (model.Type.Keyword is "class" or "record")
        {
            code.Line($"{summary}, applies <paramref name=\"change\"/> to it and saves; on a conflict it loads again and re-applies the change.</summary>");
            code.Line($"public static {Tracked} UpdateAsync({parameter}, global::System.Action<{Self}> change, {Cancellation}) => {Accessors}.UpdateAsync<{Self}>({argument}, {Accessors}.Mutating<{Self}>(change), cancellationToken);");
            code.Line();
        }
    }
}
