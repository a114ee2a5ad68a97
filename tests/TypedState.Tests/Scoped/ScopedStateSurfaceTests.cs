using System.Reflection;
using TypedState.Guilds;
using TypedState.InMemory;

namespace TypedState.Tests.Scoped;

/// <summary>What an agent's state accessor lets it address, checked on the public surface (no driver involved).</summary>
public sealed class ScopedStateSurfaceTests
{
    public static TheoryData<Type> ScopedInterfaces =>
    [
        typeof(IScopedStateOperations),
        typeof(IScopedState),
        typeof(IScopedStateTransaction),
    ];

    [Theory]
    [MemberData(nameof(ScopedInterfaces))]
    public void A_scoped_accessor_offers_no_member_that_takes_an_owner_or_another_agents_id(Type surface)
    {
        var members = surface.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Concat(typeof(ScopedStateExtensions).GetMethods(BindingFlags.Public | BindingFlags.Static));

        foreach (var method in members)
        {
            foreach (var parameter in method.GetParameters())
            {
                Assert.False(parameter.ParameterType == typeof(StateOwner), $"{surface.Name}.{method.Name} takes a StateOwner ({parameter.Name})");
                Assert.False(parameter.Name!.Contains("agent", StringComparison.OrdinalIgnoreCase), $"{surface.Name}.{method.Name} takes an agent ({parameter.Name})");
                Assert.False(parameter.Name.Contains("guild", StringComparison.OrdinalIgnoreCase), $"{surface.Name}.{method.Name} takes a guild ({parameter.Name})");
            }
        }

        // The read-only identity properties are the only agent/guild ids, and they cannot be set.
        Assert.All(
            surface.GetProperties(BindingFlags.Public | BindingFlags.Instance),
            property => Assert.False(property.CanWrite, $"{surface.Name}.{property.Name} is settable"));
    }

    [Fact]
    public void The_agent_context_exposes_state_bound_to_its_own_agent_only()
    {
        var stateProperty = typeof(AgentContext).GetProperty(nameof(AgentContext.State))!;

        Assert.Equal(typeof(IScopedState), stateProperty.PropertyType);
        Assert.False(stateProperty.CanWrite);
        Assert.DoesNotContain(typeof(AgentContext).GetProperties(), p => typeof(IStateManager).IsAssignableFrom(p.PropertyType));
    }

    [Fact]
    public async Task A_scoped_accessor_rejects_invalid_ids()
    {
        await using var state = new InMemoryStateManager();

        Assert.Throws<ArgumentException>(() => state.ForAgent(string.Empty, "a"));
        Assert.Throws<ArgumentException>(() => state.ForAgent("g", "a\nb"));
        Assert.Throws<ArgumentException>(() => state.ForAgent("g", new string('a', StateOwner.MaxIdLength + 1)));
        Assert.Throws<ArgumentNullException>(() => state.ForAgent("g", null!));
        Assert.Throws<ArgumentNullException>(() => StateManagerExtensions.ForAgent(null!, "g", "a"));
    }

    [Fact]
    public async Task The_guild_host_rejects_invalid_guild_ids()
    {
        await using var state = new InMemoryStateManager();
        await using var host = new GuildHost(state);

        Assert.Throws<ArgumentException>(() => host.StartGuild(string.Empty));
        Assert.Throws<ArgumentException>(() => host.StartGuild("a\u0000"));
        Assert.Throws<ArgumentNullException>(() => host.StartGuild(null!));
        Assert.Empty(host.Guilds);

        var guild = host.StartGuild("g");
        Assert.Throws<ArgumentException>(() => guild.AddAgent(string.Empty, new Testing.VisitCounterAgent()));
        Assert.Throws<ArgumentException>(() => guild.AddAgent("a\nb", new Testing.VisitCounterAgent()));
        Assert.Empty(guild.AgentIds);
    }
}
