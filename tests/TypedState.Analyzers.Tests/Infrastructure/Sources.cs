namespace TypedState.Analyzers.Tests.Infrastructure;

/// <summary>Builds the test sources: statements placed in a method that has the usual state objects at hand.</summary>
internal static class Sources
{
    /// <summary>
    /// <paramref name="statements"/> in an async method with <c>manager</c> (IStateManager), <c>state</c>
    /// (IScopedState), <c>tx</c> (IStateTransaction) and <c>owner</c> (StateOwner) in scope, next to
    /// <paramref name="members"/>.
    /// </summary>
    public static string InMethod(string statements, string members = "") => $$"""
        #pragma warning disable CS1998
        public class Worker
        {
            {{members}}

            public async Task RunAsync(IStateManager manager, IScopedState state, IStateTransaction tx, StateOwner owner, string guildId, string agentId)
            {
                {{statements}}
            }
        }
        """;
}
