namespace TypedState.Testing;

/// <summary>
/// The quarantine (<see cref="StateQuarantine"/>) on every driver: a record moved out of the application's way keeps
/// its bytes, key, version and reason, is never served to the application, and comes back only onto an empty key.
/// </summary>
public abstract partial class StateStoreConformanceTests
{
    private static readonly byte[] s_unreadable = [0x7B, 0x6E, 0x6F, 0xFF, 0x00, 0x22];

    [Theory]
    [MemberData(nameof(AllScopes))]
    public async Task A_quarantined_record_keeps_its_bytes_and_is_hidden_from_the_application(string scope)
    {
        var manager = await CreateManagerAsync();
        var quarantine = new StateQuarantine(manager);
        var owner = OwnerOf(scope);
        var version = await WriteRawAsync(manager.Driver, owner, "notes", s_unreadable);
        await manager.SetAsync(StateOwner.Global, "settings", 7, TestJsonContext.Default.Int32);
        await manager.SetAsync(owner, "other", 8, TestJsonContext.Default.Int32);

        var moved = await quarantine.QuarantineAsync(owner, "notes", "unreadable: not JSON", version);

        Assert.Equal((owner, "notes", version, "unreadable: not JSON"), (moved.Owner, moved.Key, moved.Version, moved.Reason));
        Assert.Null(await manager.GetRecordAsync(owner, "notes"));
        var kept = Assert.Single(await ToListAsync(quarantine.ListAsync()));
        Assert.Equal((moved.Id, owner, "notes", version, "unreadable: not JSON"), (kept.Id, kept.Owner, kept.Key, kept.Version, kept.Reason));
        Assert.Equal(s_unreadable, kept.Value.ToArray());
        Assert.Equal(moved.QuarantinedAt.ToUnixTimeMilliseconds(), kept.QuarantinedAt.ToUnixTimeMilliseconds());
        Assert.Equal(s_unreadable, (await quarantine.GetAsync(moved.Id))!.Value.ToArray());

        // The application sees only its own records: listings, transactions, and no key can name the quarantine.
        string[] global = owner == StateOwner.Global ? ["other", "settings"] : ["settings"];
        Assert.Equal(global, (await ToListAsync(manager.ListRecordsAsync(StateOwner.Global, ""))).Select(r => r.Key));
        Assert.Contains("other", (await ToListAsync(manager.ListRecordsAsync(owner, ""))).Select(r => r.Key));
        await using (var tx = await manager.BeginTransactionAsync())
        {
            var listed = await ToListAsync(tx.ListAsync(StateOwner.Global, "", TestJsonContext.Default.Int32));
            Assert.DoesNotContain(listed, e => e.Key.StartsWith('\u0001'));
        }

        await Assert.ThrowsAsync<InvalidStateKeyException>(() => manager.GetRecordAsync(StateOwner.Global, "\u0001quarantine/" + moved.Id).AsTask());
    }

    [Theory]
    [MemberData(nameof(AllScopes))]
    public async Task A_quarantined_record_is_restored_only_onto_an_empty_key(string scope)
    {
        var manager = await CreateManagerAsync();
        var quarantine = new StateQuarantine(manager);
        var owner = OwnerOf(scope);
        var version = await WriteRawAsync(manager.Driver, owner, "notes", s_unreadable);
        var moved = await quarantine.QuarantineAsync(owner, "notes", "bad");

        // Occupied: a typed conflict naming the record, and nothing changes.
        var occupant = await manager.SetAsync(owner, "notes", 5, TestJsonContext.Default.Int32);
        var conflict = await Assert.ThrowsAsync<StateConflictException>(() => quarantine.RestoreAsync(moved.Id).AsTask());
        AssertNamesRecord(conflict, owner, "notes");
        Assert.Equal((0L, occupant), (conflict.ExpectedVersion, conflict.ActualVersion));
        Assert.Equal(occupant, (await manager.GetRecordAsync(owner, "notes"))!.Value.Version);
        Assert.Single(await ToListAsync(quarantine.ListAsync()));

        // Emptied, it comes back byte for byte, at a version above every earlier one, and leaves the quarantine.
        await manager.DeleteAsync(owner, "notes");
        var restored = await quarantine.RestoreByKeyAsync(owner, "notes");
        var record = (await manager.GetRecordAsync(owner, "notes"))!.Value;
        Assert.Equal(s_unreadable, record.Value.ToArray());
        Assert.Equal(restored, record.Version);
        Assert.True(restored > occupant && occupant > version);
        Assert.Empty(await ToListAsync(quarantine.ListAsync()));

        // An id that is not (or no longer) in the quarantine is refused by name.
        var unknown = await Assert.ThrowsAsync<StateQuarantineException>(() => quarantine.RestoreAsync(moved.Id).AsTask());
        Assert.Equal((QuarantineFailure.NotFound, moved.Id), (unknown.Failure, unknown.QuarantineId));
        Assert.Contains(moved.Id, unknown.Message, StringComparison.Ordinal);
        var none = await Assert.ThrowsAsync<StateQuarantineException>(() => quarantine.RestoreByKeyAsync(owner, "other").AsTask());
        Assert.Equal(QuarantineFailure.NotFound, none.Failure);
        AssertNamesRecord(none, owner, "other");
    }

    [Fact]
    public async Task Quarantining_twice_keeps_both_and_restoring_by_key_then_needs_the_id()
    {
        var manager = await CreateManagerAsync();
        var quarantine = new StateQuarantine(manager);
        await manager.SetAsync(Agent1, "k", 1, TestJsonContext.Default.Int32);
        var first = await quarantine.QuarantineAsync(Agent1, "k", "first");
        await manager.SetAsync(Agent1, "k", 2, TestJsonContext.Default.Int32);
        var second = await quarantine.QuarantineAsync(Agent1, "k", "second");

        Assert.NotEqual(first.Id, second.Id);
        var ambiguous = await Assert.ThrowsAsync<StateQuarantineException>(() => quarantine.RestoreByKeyAsync(Agent1, "k").AsTask());
        Assert.Equal(QuarantineFailure.Ambiguous, ambiguous.Failure);
        Assert.Contains(first.Id, ambiguous.Message, StringComparison.Ordinal);
        Assert.Contains(second.Id, ambiguous.Message, StringComparison.Ordinal);

        await quarantine.RestoreAsync(second.Id);
        Assert.Equal(2, (await manager.GetAsync(Agent1, "k", TestJsonContext.Default.Int32)).Value);
        Assert.Equal([first.Id], (await ToListAsync(quarantine.ListAsync())).Select(q => q.Id));
    }

    [Fact]
    public async Task Quarantining_refuses_an_absent_record_and_a_version_that_moved_on()
    {
        var manager = await CreateManagerAsync();
        var quarantine = new StateQuarantine(manager);
        AssertNamesRecord(await Assert.ThrowsAsync<StateNotFoundException>(() => quarantine.QuarantineAsync(Guild1, "absent", "why").AsTask()), Guild1, "absent");

        var version = await manager.SetAsync(Guild1, "k", 1, TestJsonContext.Default.Int32);
        var stale = await manager.SetAsync(Guild1, "k", 2, TestJsonContext.Default.Int32);
        var conflict = await Assert.ThrowsAsync<StateConflictException>(() => quarantine.QuarantineAsync(Guild1, "k", "why", version).AsTask());
        AssertNamesRecord(conflict, Guild1, "k");
        Assert.Equal((version, stale), (conflict.ExpectedVersion, conflict.ActualVersion));
        Assert.Equal(2, (await manager.GetAsync(Guild1, "k", TestJsonContext.Default.Int32)).Value);
        Assert.Empty(await ToListAsync(quarantine.ListAsync()));
        await Assert.ThrowsAsync<InvalidStateKeyException>(() => quarantine.QuarantineAsync(Guild1, "bad\u0001key", "why").AsTask());
    }

    private static StateOwner OwnerOf(string scope) => scope switch
    {
        "agent" => Agent1,
        "guild" => Guild1,
        _ => StateOwner.Global,
    };

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
