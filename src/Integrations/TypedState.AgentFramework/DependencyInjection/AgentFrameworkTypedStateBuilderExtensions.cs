using Microsoft.Agents.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TypedState.DependencyInjection;

namespace TypedState.AgentFramework;

/// <summary>Adds Microsoft Agent Framework's stores on TypedState to a TypedState set-up.</summary>
public static class AgentFrameworkTypedStateBuilderExtensions
{
    /// <summary>
    /// Registers <see cref="TypedStateAgentSessionStore"/> (also as <see cref="AgentSessionStore"/>) and
    /// <see cref="TypedStateChatHistoryProvider"/> (also as <see cref="ChatHistoryProvider"/>) over the configured
    /// driver. Give the provider to agents with <c>ChatClientAgentOptions.ChatHistoryProvider</c>, and each agent a
    /// stable id (<c>ChatClientAgentOptions.Id</c>).
    /// </summary>
    public static TypedStateBuilder AddAgentFramework(this TypedStateBuilder builder, Action<AgentFrameworkOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<AgentFrameworkOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddSingleton<TypedStateAgentSessionStore>();
        builder.Services.TryAddSingleton<AgentSessionStore>(static provider => provider.GetRequiredService<TypedStateAgentSessionStore>());
        builder.Services.TryAddSingleton<TypedStateChatHistoryProvider>();
        builder.Services.TryAddSingleton<ChatHistoryProvider>(static provider => provider.GetRequiredService<TypedStateChatHistoryProvider>());
        return builder;
    }
}
