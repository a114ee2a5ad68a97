using Microsoft.Agents.AI.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TypedState.DependencyInjection;

namespace TypedState.AgentFramework.Workflows;

/// <summary>Adds Microsoft Agent Framework's workflow checkpoints on TypedState to a TypedState set-up.</summary>
public static class CheckpointTypedStateBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="TypedStateCheckpointStore"/> over the configured driver (records of
    /// <see cref="AgentFrameworkOptions.ChunkBytes"/>) and a <see cref="CheckpointManager"/> on it: pass the manager to
    /// <c>InProcessExecution.RunStreamingAsync</c> and <c>ResumeStreamingAsync</c>.
    /// </summary>
    /// <param name="builder">The TypedState set-up.</param>
    /// <param name="keepLast">When set, a run keeps only its latest this many checkpoints (null keeps all).</param>
    public static TypedStateBuilder AddAgentFrameworkCheckpoints(this TypedStateBuilder builder, int? keepLast = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (keepLast is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(keepLast), keepLast, "A run must keep at least one checkpoint (null keeps all).");
        }

        builder.Services.AddOptions<AgentFrameworkOptions>();
        builder.Services.TryAddSingleton(provider => new TypedStateCheckpointStore(
            provider.GetRequiredService<IStateManager>(),
            keepLast,
            provider.GetRequiredService<IOptions<AgentFrameworkOptions>>().Value.ChunkBytes));
        builder.Services.TryAddSingleton(static provider => CheckpointManager.CreateJson(provider.GetRequiredService<TypedStateCheckpointStore>()));
        return builder;
    }
}
