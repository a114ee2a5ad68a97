using System.Text.Json.Nodes;
using Orleans.Storage;
using TypedState.Orleans.Tests.Grains;
using TypedState.Orleans.Tests.Stores;

namespace TypedState.Orleans.Tests;

/// <summary>
/// Grains on a cluster of two silos keep their state in a TypedState store: it outlives activations and silos, a
/// stale write is refused, a clear deletes the record, and every record is where the TypedState API finds it.
/// </summary>
public abstract class GrainStorageClusterTests<TStore>(StoreCluster<TStore> fixture)
    where TStore : TestStore, new()
{
    private IClusterClient Client => fixture.Client;

    private IStateManager Outside => fixture.Outside;

    // The tool as an operator runs it, as a process on the same store.
    private async Task<string> ToolAsync(string[] command)
    {
        using var directory = new TempDirectory();
        var tool = Path.Combine(AppContext.BaseDirectory, "tool", "TypedState.Tool.dll");
        var (exitCode, output) = await DotnetCli.RunAsync(directory.Path, TimeSpan.FromMinutes(2), [tool, .. command, .. fixture.Store.ToolOptions]);
        Assert.True(exitCode == 0, $"typedstate {string.Join(' ', command)} exited with {exitCode}:\n{output}");
        return output;
    }

    private static string NewAgent() => $"front-desk/greeter-{Guid.NewGuid():N}";

    private static StateOwner OwnerOf(string agentKey) => StateOwner.Agent("front-desk", agentKey["front-desk/".Length..]);

    [Fact]
    public async Task Agent_state_written_by_a_grain_is_its_typed_record_for_the_state_manager()
    {
        var key = NewAgent();
        var grain = Client.GetGrain<IAgentGrain>(key);
        await grain.VisitAsync("ada");
        await grain.VisitAsync("grace");
        await grain.SetProfileAsync("Greeter");

        var visits = await Outside.GetAsync(OwnerOf(key), "VisitLog", VisitLog.StateSchema.TypeInfo);
        Assert.Equal(2, visits.Version);
        Assert.Equal(2, visits.Value!.Total);
        Assert.Equal(["ada", "grace"], visits.Value.Visitors);

        // The generated accessors see the same record through the agent's scoped view.
        var loaded = await VisitLog.LoadAsync(Outside.ForAgent("front-desk", key["front-desk/".Length..]));
        Assert.Equal(2, loaded.Value.Total);

        var profile = await Outside.GetJsonAsync(OwnerOf(key), "orleans/profile");
        Assert.True(profile.Exists);
        Assert.Equal("Greeter", (string?)JsonNode.Parse(profile.Value.Span)!["displayName"]);
    }

    [Fact]
    public async Task The_typedstate_tool_reads_the_records_grains_wrote()
    {
        var key = NewAgent();
        var agent = key["front-desk/".Length..];
        var grain = Client.GetGrain<IAgentGrain>(key);
        await grain.VisitAsync("ada");
        await grain.VisitAsync("grace");
        await grain.SetProfileAsync("Greeter");

        var visits = await ToolAsync(["get", "VisitLog", "--guild", "front-desk", "--agent", agent]);
        Assert.Contains("key 'VisitLog' version 2", visits, StringComparison.Ordinal);
        Assert.Contains("\"total\": 2", visits, StringComparison.Ordinal);

        var listed = await ToolAsync(["list", "--guild", "front-desk", "--agent", agent, "--prefix", "orleans/", "--values"]);
        Assert.Contains("orleans/profile", listed, StringComparison.Ordinal);
        Assert.Contains("Greeter", listed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task State_survives_the_deactivation_of_the_grain()
    {
        var grain = Client.GetGrain<IAgentGrain>(NewAgent());
        await grain.VisitAsync("ada");
        await grain.VisitAsync("ada");
        var first = await grain.GetActivationAsync();

        await fixture.Cluster.DeactivateAsync(grain);

        Assert.NotEqual(first, await grain.GetActivationAsync());
        Assert.Equal(2, await grain.GetTotalAsync());
        Assert.Equal(3, await grain.VisitAsync("ada"));
    }

    [Fact]
    public async Task State_survives_a_restart_of_the_silo_that_held_the_grain()
    {
        // A grain on the second silo (placement is random; the first silo is the cluster's primary and stays up).
        var secondary = fixture.Cluster.Silos[1];
        IAgentGrain grain;
        do
        {
            grain = Client.GetGrain<IAgentGrain>(NewAgent());
        }
        while (await grain.GetSiloAsync() != secondary.SiloAddress.ToString());

        await grain.VisitAsync("ada");
        await grain.VisitAsync("grace");
        var first = await grain.GetActivationAsync();

        var restarted = await fixture.Cluster.RestartSiloAsync(secondary);
        Assert.NotNull(restarted);

        Assert.NotEqual(first, await grain.GetActivationAsync());
        Assert.Equal(2, await grain.GetTotalAsync());
        Assert.Equal(3, await grain.VisitAsync("edsger"));
    }

    [Fact]
    public async Task A_grain_write_over_a_record_another_writer_changed_is_an_InconsistentStateException()
    {
        var key = NewAgent();
        var grain = Client.GetGrain<IAgentGrain>(key);
        await grain.VisitAsync("ada");

        // Another writer (another activation's storage, an operator) moves the record on: the grain's ETag is stale.
        var stored = await Outside.GetAsync(OwnerOf(key), "VisitLog", VisitLog.StateSchema.TypeInfo);
        stored.Value!.Total = 10;
        await Outside.SetAsync(OwnerOf(key), "VisitLog", stored.Value, VisitLog.StateSchema.TypeInfo, expectedVersion: stored.Version);

        await Assert.ThrowsAsync<InconsistentStateException>(() => grain.VisitAsync("grace"));

        var after = await Outside.GetAsync(OwnerOf(key), "VisitLog", VisitLog.StateSchema.TypeInfo);
        Assert.Equal(2, after.Version);
        Assert.Equal(10, after.Value!.Total);

        // Orleans deactivated the refused activation: the next call reads the record as the other writer left it.
        Assert.Equal(11, await grain.VisitAsync("grace"));
    }

    [Fact]
    public async Task Clearing_a_grain_state_deletes_its_record()
    {
        var key = NewAgent();
        var grain = Client.GetGrain<IAgentGrain>(key);
        await grain.SetProfileAsync("Greeter");
        Assert.True((await Outside.GetJsonAsync(OwnerOf(key), "orleans/profile")).Exists);

        await grain.ClearProfileAsync();

        Assert.False((await Outside.GetJsonAsync(OwnerOf(key), "orleans/profile")).Exists);
        Assert.Null(await grain.GetProfileAsync());
        await fixture.Cluster.DeactivateAsync(grain);
        Assert.Null(await grain.GetProfileAsync());

        // Written again after the clear, from a fresh activation.
        await grain.SetProfileAsync("Concierge");
        Assert.Equal("Concierge", await grain.GetProfileAsync());
    }

    [Fact]
    public async Task A_grain_reads_generated_state_stored_at_an_older_version_through_its_migration()
    {
        var key = NewAgent();
        await Outside.SetJsonAsync(OwnerOf(key), "VisitLog", """{"$version":1,"count":5,"visitors":["ada"]}"""u8.ToArray());

        var grain = Client.GetGrain<IAgentGrain>(key);
        Assert.Equal(5, await grain.GetTotalAsync());
        Assert.Equal(6, await grain.VisitAsync("grace"));

        var stored = await Outside.GetJsonAsync(OwnerOf(key), "VisitLog");
        var document = JsonNode.Parse(stored.Value.Span)!.AsObject();
        Assert.Equal(2, (int)document["$version"]!);
        Assert.Equal(6, (int)document["total"]!);
        Assert.False(document.ContainsKey("count"));
    }

    [Fact]
    public async Task Guild_global_and_unmapped_grains_store_under_their_owners()
    {
        var guild = $"guild-{Guid.NewGuid():N}";
        await Client.GetGrain<IGuildGrain>(guild).PostAsync("standup at ten");
        var board = await Outside.GetAsync(StateOwner.Guild(guild), "Board", Board.StateSchema.TypeInfo);
        Assert.Equal(["standup at ten"], board.Value!.Notes);

        var registry = Client.GetGrain<IRegistryGrain>($"main-{Guid.NewGuid():N}");
        await registry.AddAsync("ada");
        var registryKey = registry.GetGrainId().Key.ToString();
        Assert.True((await Outside.GetJsonAsync(StateOwner.Global, $"orleans/registry/{registryKey}/names")).Exists);

        var counter = Client.GetGrain<ICounterGrain>($"c-{Guid.NewGuid():N}");
        await counter.AddAsync("grace");
        var counterId = counter.GetGrainId();
        var owner = StateOwner.Agent(counterId.Type.ToString()!, counterId.Key.ToString()!);
        Assert.True((await Outside.GetJsonAsync(owner, "orleans/names")).Exists);

        // Removing the guild through the TypedState API removes what its grain stored.
        await Outside.RemoveGuildAsync(guild);
        Assert.False((await Outside.GetJsonAsync(StateOwner.Guild(guild), "Board")).Exists);
    }
}

public sealed class SqliteGrainStorageClusterTests(StoreCluster<SqliteTestStore> fixture)
    : GrainStorageClusterTests<SqliteTestStore>(fixture), IClassFixture<StoreCluster<SqliteTestStore>>;

public sealed class PostgresGrainStorageClusterTests(StoreCluster<PostgresTestStore> fixture)
    : GrainStorageClusterTests<PostgresTestStore>(fixture), IClassFixture<StoreCluster<PostgresTestStore>>;
