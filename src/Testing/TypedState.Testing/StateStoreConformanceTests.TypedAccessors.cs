using TypedState.CompilerServices;
using TypedState.Guilds;

namespace TypedState.Testing;

/// <summary>An agent-scoped counter for the typed accessor tests.</summary>
[AgentState(Key = "typed/counter")]
internal partial class TypedCounter
{
    public int Count { get; set; }

    public List<string> Writers { get; set; } = [];
}

/// <summary>A guild-scoped board for the typed accessor tests.</summary>
[GuildState(Key = "typed/board")]
internal partial record TypedBoard
{
    public List<string> Notes { get; init; } = [];

    public int Revision { get; init; }
}

/// <summary>A global setting for the typed accessor tests.</summary>
[GlobalState(Key = "typed/settings")]
internal partial class TypedSettings
{
    public string Greeting { get; set; } = "hello";

    public int Changes { get; set; }
}

/// <summary>Asks a <see cref="TypedStateAgent"/> to count a visit in its typed agent, guild and global state.</summary>
internal sealed record TypedVisit(string From);

/// <summary>Asks a <see cref="TypedStateAgent"/> what its typed state holds.</summary>
internal sealed record TypedReport;

/// <summary>What a <see cref="TypedStateAgent"/> saw.</summary>
internal sealed record TypedObservation(string AgentId, StateOwner CounterOwner, int Count, IReadOnlyList<string> Writers, IReadOnlyList<string> BoardNotes, int GlobalChanges);

/// <summary>An agent that uses generated typed accessors through its <see cref="AgentContext"/>, as user code does.</summary>
internal sealed class TypedStateAgent : IMessageHandler<TypedVisit>, IMessageHandler<TypedReport>
{
    public List<TypedObservation> Observations { get; } = [];

    public async ValueTask HandleAsync(TypedVisit message, AgentContext context, CancellationToken cancellationToken)
    {
        // Agent state through the context; guild and global state through the context's scoped state.
        await TypedCounter.UpdateAsync(context, c =>
        {
            c.Count++;
            c.Writers.Add(message.From);
        }, cancellationToken);
        await TypedBoard.UpdateAsync(context.State, b => b with { Notes = [.. b.Notes, $"{context.AgentId}:{message.From}"], Revision = b.Revision + 1 }, cancellationToken);
        await TypedSettings.UpdateAsync(context.State, s => s.Changes++, cancellationToken);
    }

    public async ValueTask HandleAsync(TypedReport message, AgentContext context, CancellationToken cancellationToken)
    {
        var counter = await TypedCounter.LoadAsync(context, cancellationToken);
        var board = await TypedBoard.LoadAsync(context.State, cancellationToken);
        var settings = await TypedSettings.LoadAsync(context.State, cancellationToken);
        Observations.Add(new TypedObservation(context.AgentId, counter.Owner, counter.Value.Count, counter.Value.Writers, board.Value.Notes, settings.Value.Changes));
    }
}

public abstract partial class StateStoreConformanceTests
{
    [Fact]
    public async Task Loading_absent_typed_state_gives_a_new_default_instance_at_version_0_and_writes_nothing()
    {
        var state = await CreateManagerAsync();

        var counter = await TypedCounter.LoadAsync(state.ForAgent(G1, A1));
        var board = await TypedBoard.LoadAsync(state, G1);
        var settings = await TypedSettings.LoadAsync(state);

        Assert.False(counter.Exists);
        Assert.Equal(0, counter.Version);
        Assert.Equal(Agent1, counter.Owner);
        Assert.Equal(0, counter.Value.Count);
        Assert.Empty(counter.Value.Writers);
        Assert.False(board.Exists);
        Assert.Equal(Guild1, board.Owner);
        Assert.Empty(board.Value.Notes);
        Assert.False(settings.Exists);
        Assert.Equal(StateOwner.Global, settings.Owner);
        Assert.Equal("hello", settings.Value.Greeting);

        // Each load gives its own instance.
        Assert.NotSame(counter.Value, (await TypedCounter.LoadAsync(state.ForAgent(G1, A1))).Value);
        Assert.False(await TypedCounter.DeleteAsync(state.ForAgent(G1, A1)));
        await AssertAbsentAsync(state, Agent1, "typed/counter");
        await AssertAbsentAsync(state, Guild1, "typed/board");
        await AssertAbsentAsync(state, StateOwner.Global, "typed/settings");
    }

    [Theory]
    [MemberData(nameof(AllScopes))]
    public async Task Saving_a_tracked_copy_loaded_before_another_copy_was_saved_throws_StateConflictException(string scope)
    {
        var state = await CreateManagerAsync();
        var (first, second, owner, key) = scope switch
        {
            "agent" => await LoadTwiceAsync(() => TypedCounter.LoadAsync(state.ForAgent(G1, A1)), Agent1, "typed/counter"),
            "guild" => await LoadTwiceAsync(() => TypedBoard.LoadAsync(state, G1), Guild1, "typed/board"),
            _ => await LoadTwiceAsync(() => TypedSettings.LoadAsync(state), StateOwner.Global, "typed/settings"),
        };

        await first.SaveAsync();
        Assert.Equal(1, first.Version);
        var ex = await Assert.ThrowsAsync<StateConflictException>(() => second.SaveAsync().AsTask());

        AssertNamesRecord(ex, owner, key);
        Assert.Equal(0, ex.ExpectedVersion);
        Assert.Equal(1, ex.ActualVersion);
        Assert.Equal(0, second.Version);
        var stored = await state.GetRecordAsync(owner, key);
        Assert.Equal(1, stored!.Value.Version);

        // The first copy goes on; the second one, deleting at its stale version, conflicts too.
        await first.SaveAsync();
        Assert.Equal(2, first.Version);
        await Assert.ThrowsAsync<StateConflictException>(() => second.DeleteAsync().AsTask());
        Assert.True(await first.DeleteAsync());
        Assert.False(first.Exists);
        await AssertAbsentAsync(state, owner, key);
    }

    private static async Task<(ITracked First, ITracked Second, StateOwner Owner, string Key)> LoadTwiceAsync<T>(Func<ValueTask<TrackedState<T>>> load, StateOwner owner, string key)
        where T : IStateType<T> =>
        (new Tracked<T>(await load()), new Tracked<T>(await load()), owner, key);

    /// <summary>A <see cref="TrackedState{T}"/> of any state type.</summary>
    private interface ITracked
    {
        long Version { get; }

        bool Exists { get; }

        ValueTask SaveAsync();

        ValueTask<bool> DeleteAsync();
    }

    private sealed class Tracked<T>(TrackedState<T> tracked) : ITracked
        where T : IStateType<T>
    {
        public long Version => tracked.Version;

        public bool Exists => tracked.Exists;

        public ValueTask SaveAsync() => tracked.SaveAsync();

        public ValueTask<bool> DeleteAsync() => tracked.DeleteAsync();
    }

    [Fact]
    public async Task SaveAsync_with_an_expected_version_conflicts_when_the_record_is_elsewhere()
    {
        var state = await CreateManagerAsync();
        var scoped = state.ForAgent(G1, A1);

        Assert.Equal(1, await TypedCounter.SaveAsync(scoped, new TypedCounter { Count = 1 }, expectedVersion: 0));
        await Assert.ThrowsAsync<StateConflictException>(() => TypedCounter.SaveAsync(scoped, new TypedCounter { Count = 2 }, expectedVersion: 0).AsTask());
        await Assert.ThrowsAsync<StateConflictException>(() => TypedBoard.SaveAsync(state, G1, new TypedBoard(), expectedVersion: 3).AsTask());
        await Assert.ThrowsAsync<StateConflictException>(() => TypedSettings.DeleteAsync(state, expectedVersion: 1).AsTask());
        Assert.Equal(2, await TypedCounter.SaveAsync(scoped, new TypedCounter { Count = 2 }, expectedVersion: 1));
        Assert.Equal(3, await TypedCounter.SaveAsync(scoped, new TypedCounter { Count = 3 }));
        Assert.Equal(3, (await TypedCounter.LoadAsync(scoped)).Value.Count);
    }

    [Theory]
    [MemberData(nameof(AllScopes))]
    public async Task UpdateAsync_from_8_concurrent_clients_loses_no_update(string scope)
    {
        const int clientCount = 8;
        const int updatesEach = 5;
        var first = await CreateManagerAsync();
        var clients = Enumerable.Range(0, clientCount).Select(i => i == 0 ? first : CreateManagerOver(first.Driver)).ToList();

        var work = clients.Select((client, i) => Task.Run(async () =>
        {
            for (var n = 0; n < updatesEach; n++)
            {
                var writer = $"c{i}-{n}";
                switch (scope)
                {
                    case "agent":
                        var counter = await TypedCounter.UpdateAsync(client.ForAgent(G1, A1), c =>
                        {
                            c.Count++;
                            c.Writers.Add(writer);
                        });
                        Assert.Contains(writer, counter.Value.Writers);
                        break;
                    case "guild":
                        await TypedBoard.UpdateAsync(client, G1, b => b with { Notes = [.. b.Notes, writer], Revision = b.Revision + 1 });
                        break;
                    default:
                        await TypedSettings.UpdateAsync(client, s =>
                        {
                            s.Changes++;
                            s.Greeting += "," + writer;
                        });
                        break;
                }
            }
        })).ToList();
        await Task.WhenAll(work);

        var expectedWriters = Enumerable.Range(0, clientCount).SelectMany(i => Enumerable.Range(0, updatesEach).Select(n => $"c{i}-{n}")).Order(StringComparer.Ordinal).ToList();
        switch (scope)
        {
            case "agent":
                var counter = await TypedCounter.LoadAsync(first.ForAgent(G1, A1));
                Assert.Equal(clientCount * updatesEach, counter.Value.Count);
                Assert.Equal(expectedWriters, counter.Value.Writers.Order(StringComparer.Ordinal));
                Assert.Equal(clientCount * updatesEach, counter.Version);
                break;
            case "guild":
                var board = await TypedBoard.LoadAsync(first, G1);
                Assert.Equal(clientCount * updatesEach, board.Value.Revision);
                Assert.Equal(expectedWriters, board.Value.Notes.Order(StringComparer.Ordinal));
                Assert.Equal(clientCount * updatesEach, board.Version);
                break;
            default:
                var settings = await TypedSettings.LoadAsync(first);
                Assert.Equal(clientCount * updatesEach, settings.Value.Changes);
                Assert.Equal(expectedWriters, settings.Value.Greeting.Split(',').Skip(1).Order(StringComparer.Ordinal));
                Assert.Equal(clientCount * updatesEach, settings.Version);
                break;
        }
    }

    [Fact]
    public async Task Agents_reach_only_their_own_typed_agent_state_and_share_typed_guild_and_global_state()
    {
        var state = await CreateManagerAsync();
        await using var host = new GuildHost(state);
        var guild = host.StartGuild(G1);
        var other = host.StartGuild(G2);
        var a = new TypedStateAgent();
        var b = new TypedStateAgent();
        var c = new TypedStateAgent();
        guild.AddAgent(A1, a);
        guild.AddAgent(A2, b);
        other.AddAgent(A1, c);

        await guild.SendAsync(A1, new TypedVisit("u1"));
        await guild.SendAsync(A1, new TypedVisit("u2"));
        await guild.SendAsync(A2, new TypedVisit("u3"));
        await other.SendAsync(A1, new TypedVisit("u4"));
        await guild.PublishAsync(new TypedReport());
        await other.PublishAsync(new TypedReport());

        var seenByA = Assert.Single(a.Observations);
        var seenByB = Assert.Single(b.Observations);
        var seenByC = Assert.Single(c.Observations);
        Assert.Equal(Agent1, seenByA.CounterOwner);
        Assert.Equal(Agent2, seenByB.CounterOwner);
        Assert.Equal(StateOwner.Agent(G2, A1), seenByC.CounterOwner);
        Assert.Equal(2, seenByA.Count);
        Assert.Equal(["u1", "u2"], seenByA.Writers);
        Assert.Equal(1, seenByB.Count);
        Assert.Equal(["u3"], seenByB.Writers);
        Assert.Equal(["u4"], seenByC.Writers);

        // Guild state is the guild's, global state everyone's.
        Assert.Equal(["agent-1:u1", "agent-1:u2", "agent-2:u3"], seenByA.BoardNotes);
        Assert.Equal(seenByA.BoardNotes, seenByB.BoardNotes);
        Assert.Equal(["agent-1:u4"], seenByC.BoardNotes);
        Assert.All([seenByA, seenByB, seenByC], o => Assert.Equal(4, o.GlobalChanges));

        // The records are where the scopes say, under the types' keys.
        Assert.Equal(2, (await TypedCounter.LoadAsync(state.ForAgent(G1, A1))).Value.Count);
        Assert.Equal(3, (await state.GetRecordAsync(Guild1, "typed/board"))!.Value.Version);
        Assert.Equal(1, (await state.GetRecordAsync(Guild2, "typed/board"))!.Value.Version);
        Assert.Equal(4, (await TypedSettings.LoadAsync(state)).Value.Changes);
    }

    [Fact]
    public async Task Guild_typed_state_is_the_same_through_a_scoped_accessor_and_through_the_store_with_a_guild_id()
    {
        var state = await CreateManagerAsync();

        var saved = await TypedBoard.SaveAsync(state, G1, new TypedBoard { Notes = ["via store"], Revision = 1 });
        var viaAgent = await TypedBoard.LoadAsync(state.ForAgent(G1, A2));

        Assert.Equal(saved, viaAgent.Version);
        Assert.Equal(Guild1, viaAgent.Owner);
        Assert.Equal(["via store"], viaAgent.Value.Notes);
        viaAgent.Value = viaAgent.Value with { Notes = ["via agent"], Revision = 2 };
        await viaAgent.SaveAsync();

        var viaStore = await TypedBoard.LoadAsync(state, G1);
        Assert.Equal(["via agent"], viaStore.Value.Notes);
        Assert.Equal(viaAgent.Version, viaStore.Version);
        Assert.False((await TypedBoard.LoadAsync(state, G2)).Exists);
        Assert.False((await TypedBoard.LoadAsync(state.ForAgent(G2, A1))).Exists);

        Assert.True(await TypedBoard.DeleteAsync(state.ForAgent(G1, A1)));
        Assert.False((await TypedBoard.LoadAsync(state, G1)).Exists);

        // An owner of another scope is refused by the explicit-owner accessors.
        await Assert.ThrowsAsync<ArgumentException>(() => StateAccessors.LoadAsync<TypedBoard>(state, Agent1, CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => StateAccessors.SaveAsync(state, StateOwner.Global, new TypedBoard(), null, CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => StateAccessors.DeleteAsync<TypedCounter>(state, Guild1, null, CancellationToken.None).AsTask());
        await AssertAbsentAsync(state, Agent1, "typed/board");
        await AssertAbsentAsync(state, StateOwner.Global, "typed/board");
    }

    [Fact]
    public async Task Global_typed_state_is_the_same_through_the_store_and_every_scoped_accessor()
    {
        var state = await CreateManagerAsync();

        await TypedSettings.SaveAsync(state, new TypedSettings { Greeting = "hi" });
        var updated = await TypedSettings.UpdateAsync(state, s => s.Changes = 5);

        Assert.Equal(2, updated.Version);
        var fromAgent = await TypedSettings.LoadAsync(state.ForAgent(G2, A2));
        Assert.Equal("hi", fromAgent.Value.Greeting);
        Assert.Equal(5, fromAgent.Value.Changes);
        Assert.Equal(StateOwner.Global, fromAgent.Owner);
        var raw = await state.GetRecordAsync(StateOwner.Global, "typed/settings");
        StoredDocuments.AssertSame("{\"$version\":1,\"greeting\":\"hi\",\"changes\":5}"u8.ToArray(), raw!.Value.Value);
        Assert.True(await TypedSettings.DeleteAsync(state, expectedVersion: 2));
        Assert.False((await TypedSettings.LoadAsync(state.ForAgent(G1, A1))).Exists);
    }

    [Fact]
    public async Task Typed_saves_in_a_transaction_commit_atomically_with_its_other_writes()
    {
        var state = await CreateManagerAsync();
        await TypedBoard.SaveAsync(state, G1, new TypedBoard { Notes = ["start"], Revision = 1 });
        await AssertSpanningRootsRefusedAsync(state, (Guild1, "plain"), (StateOwner.Global, "plain"));

        // Global typed state joins the guild's writes where one transaction may span roots.
        var withGlobal = !TransactionsStayWithinOneRoot;

        await using (var tx = await state.BeginTransactionAsync())
        {
            var board = await TypedBoard.LoadAsync(tx, G1);
            board.Value = board.Value with { Notes = [.. board.Value.Notes, "in tx"], Revision = 2 };
            await board.SaveAsync();
            if (withGlobal)
            {
                await TypedSettings.UpdateAsync(tx, s => s.Changes = 1);
            }

            await StateAccessors.SaveAsync(tx, Agent1, new TypedCounter { Count = 7 }, null, CancellationToken.None);
            await tx.SetAsync(Guild1, "plain", 42);

            // Buffered: the transaction sees its writes, nobody else does yet; the tracked version stays.
            Assert.Equal(1, board.Version);
            Assert.Equal(["start", "in tx"], (await TypedBoard.LoadAsync(tx, G1)).Value.Notes);
            Assert.Equal(["start"], (await TypedBoard.LoadAsync(state, G1)).Value.Notes);
            Assert.False((await TypedSettings.LoadAsync(state)).Exists);
            await AssertAbsentAsync(state, Guild1, "plain");
            await tx.CommitAsync();
        }

        Assert.Equal(["start", "in tx"], (await TypedBoard.LoadAsync(state, G1)).Value.Notes);
        Assert.Equal(withGlobal ? 1 : 0, (await TypedSettings.LoadAsync(state)).Value.Changes);
        Assert.Equal(7, (await TypedCounter.LoadAsync(state.ForAgent(G1, A1))).Value.Count);
        await AssertRecordAsync(state, Guild1, "plain", 42, 1);

        // A conflict on the typed record applies none of the transaction's writes.
        await using (var tx = await state.BeginTransactionAsync())
        {
            var board = await TypedBoard.LoadAsync(tx, G1);
            board.Value = board.Value with { Revision = 100 };
            await board.SaveAsync();
            await tx.SetAsync(Guild1, "plain", 43);
            await TypedBoard.UpdateAsync(state, G1, b => b with { Notes = [.. b.Notes, "concurrent"] });
            await Assert.ThrowsAsync<StateConflictException>(() => tx.CommitAsync().AsTask());
        }

        var after = await TypedBoard.LoadAsync(state, G1);
        Assert.Equal(2, after.Value.Revision);
        Assert.Equal(["start", "in tx", "concurrent"], after.Value.Notes);
        await AssertRecordAsync(state, Guild1, "plain", 42, 1);

        // A scoped transaction resolves the agent's typed state like the scoped accessor; disposing it discards the writes.
        await using (var scoped = await state.ForAgent(G1, A1).BeginTransactionAsync())
        {
            var counter = await TypedCounter.LoadAsync(scoped);
            Assert.Equal(7, counter.Value.Count);
            counter.Value.Count = 8;
            await counter.SaveAsync();
            await TypedBoard.UpdateAsync(scoped, b => b with { Revision = 3 });
            await scoped.CommitAsync();
        }

        await using (var discarded = await state.ForAgent(G1, A1).BeginTransactionAsync())
        {
            await TypedCounter.SaveAsync(discarded, new TypedCounter { Count = 1000 });
        }

        Assert.Equal(8, (await TypedCounter.LoadAsync(state.ForAgent(G1, A1))).Value.Count);
        Assert.Equal(3, (await TypedBoard.LoadAsync(state, G1)).Value.Revision);
        Assert.Equal(0, (await TypedCounter.LoadAsync(state.ForAgent(G1, A2))).Value.Count);
    }

    [Fact]
    public async Task Removing_an_agent_deletes_its_typed_agent_state_only()
    {
        var state = await CreateManagerAsync();
        await using var host = new GuildHost(state);
        var guild = host.StartGuild(G1);
        guild.AddAgent(A1, new TypedStateAgent());
        guild.AddAgent(A2, new TypedStateAgent());
        await guild.SendAsync(A1, new TypedVisit("u1"));
        await guild.SendAsync(A2, new TypedVisit("u2"));
        Assert.True((await TypedCounter.LoadAsync(state.ForAgent(G1, A1))).Exists);

        Assert.True(await guild.RemoveAgentAsync(A1));

        Assert.False((await TypedCounter.LoadAsync(state.ForAgent(G1, A1))).Exists);
        await AssertAbsentAsync(state, Agent1, "typed/counter");
        Assert.Equal(1, (await TypedCounter.LoadAsync(state.ForAgent(G1, A2))).Value.Count);
        Assert.Equal(2, (await TypedBoard.LoadAsync(state, G1)).Value.Revision);
        Assert.Equal(2, (await TypedSettings.LoadAsync(state)).Value.Changes);

        // Removing through the manager does the same.
        await state.RemoveAgentAsync(G1, A2);
        Assert.False((await TypedCounter.LoadAsync(state.ForAgent(G1, A2))).Exists);
        Assert.True((await TypedBoard.LoadAsync(state, G1)).Exists);
    }
}
