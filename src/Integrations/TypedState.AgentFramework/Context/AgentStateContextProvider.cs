using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;

namespace TypedState.AgentFramework;

/// <summary>
/// Feeds the model an agent's typed, versioned state (an <c>[AgentState]</c> type) on every call, read from the
/// agent's owner, so generated state and its migrations reach agents built with Microsoft Agent Framework.
/// Optionally gives the model tools to read the state again and to replace it.
/// </summary>
/// <typeparam name="TState">The generated <c>[AgentState]</c> type.</typeparam>
public sealed class AgentStateContextProvider<TState> : AIContextProvider
    where TState : IAgentState<TState>
{
    private readonly IStateManager _state;
    private readonly AgentFrameworkOptions _options;
    private readonly bool _withTools;
    private readonly string _toolSuffix;

    /// <summary>Creates the provider over <paramref name="state"/>.</summary>
    /// <param name="state">The store holding the agent's state.</param>
    /// <param name="options">Guild and agent id selection; defaults when null.</param>
    /// <param name="withTools">Whether the model gets <c>read_{key}</c> and <c>update_{key}</c> tools.</param>
    public AgentStateContextProvider(IStateManager state, AgentFrameworkOptions? options, bool withTools)
    {
        ArgumentNullException.ThrowIfNull(state);
        _state = state;
        _options = options ?? new AgentFrameworkOptions();
        _withTools = withTools;
        _toolSuffix = ToolNameOf(TState.Schema.Key);
    }

    /// <summary>The name of the tool that returns the current state.</summary>
    public string ReadToolName => "read_" + _toolSuffix;

    /// <summary>The name of the tool that replaces the state with a document the model writes.</summary>
    public string UpdateToolName => "update_" + _toolSuffix;

    /// <inheritdoc/>
    protected override async ValueTask<AIContext> ProvideAIContextAsync(InvokingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var owner = AgentIdentity.OwnerOf(context.Agent, _options);
        var (document, version) = await ReadAsync(owner, cancellationToken).ConfigureAwait(false);
        var schema = TState.Schema;
        var instructions = new StringBuilder()
            .Append("Your state '").Append(schema.Key).Append("' (schema version ").Append(schema.Version).Append(", ")
            .Append(version == 0 ? "not saved yet" : $"record version {version}").Append("): ").Append(document);
        if (!_withTools)
        {
            return new AIContext { Instructions = instructions.ToString() };
        }

        var seen = new StrongBox<long>(version);
        instructions.Append(" Call ").Append(UpdateToolName).Append(" with the whole new document to change it.");
        return new AIContext
        {
            Instructions = instructions.ToString(),
            Tools =
            [
                AIFunctionFactory.Create(
                    async (CancellationToken ct) => (await ReadAsync(owner, ct).ConfigureAwait(false)).Document,
                    ReadToolName,
                    $"Returns the current '{schema.Key}' state document."),
                AIFunctionFactory.Create(
                    (string document, CancellationToken ct) => UpdateAsync(owner, document, seen, ct),
                    UpdateToolName,
                    $"Replaces the '{schema.Key}' state with the given JSON document (the whole document, as read)."),
            ],
        };
    }

    private async ValueTask<(string Document, long Version)> ReadAsync(StateOwner owner, CancellationToken cancellationToken)
    {
        var schema = TState.Schema;
        var entry = await _state.GetAsync(owner, schema.Key, schema.TypeInfo, cancellationToken).ConfigureAwait(false);
        var value = entry.TryGetValue(out var stored) ? stored : TState.CreateDefault();
        return (Encoding.UTF8.GetString(schema.Serialize(value)), entry.Version);
    }

    private async Task<string> UpdateAsync(StateOwner owner, string document, StrongBox<long> seen, CancellationToken cancellationToken)
    {
        var schema = TState.Schema;
        TState value;
        try
        {
            value = JsonSerializer.Deserialize(document, schema.TypeInfo)!;
        }
        catch (JsonException ex)
        {
            return $"Not saved: the document is not a valid '{schema.Key}' state ({ex.Message}).";
        }

        try
        {
            // The version the model saw: a change made since (by another turn or by code) is not overwritten.
            var version = await _state.SetAsync(owner, schema.Key, value, schema.TypeInfo, seen.Value, cancellationToken).ConfigureAwait(false);
            seen.Value = version;
            return $"Saved as record version {version}.";
        }
        catch (StateConflictException)
        {
            return $"Not saved: the state changed since this turn began. Call {ReadToolName} and apply the change to the current document.";
        }
    }

    private static string ToolNameOf(string key)
    {
        var builder = new StringBuilder(key.Length);
        foreach (var c in key)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }

        return builder.ToString();
    }
}
