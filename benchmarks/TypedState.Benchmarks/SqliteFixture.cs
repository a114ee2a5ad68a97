using System.Runtime.CompilerServices;
using System.Text.Json;
using TypedState.Sqlite;

namespace TypedState.Benchmarks;

/// <summary>
/// One TypedState SQLite store and one hand-written store, each in its own file of a fresh temp directory,
/// with the same settings. The benchmark classes and the interleaved runner call the same methods.
/// </summary>
public sealed class SqliteFixture : IAsyncDisposable
{
    private readonly string _directory;
    private readonly SqliteStateManager _manager;
    private readonly RawSqliteStore _raw;
    private readonly Profile _value = Sample.Create();
    private bool _timelineStarted;

    public SqliteFixture(SqliteSynchronousMode synchronous)
    {
        _directory = Path.Combine(Path.GetTempPath(), "typedstate-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _manager = new SqliteStateManager(new SqliteStateDriverOptions
        {
            ConnectionString = "Data Source=" + Path.Combine(_directory, "typedstate.db"),
            Synchronous = synchronous,
        });
        _raw = new RawSqliteStore(Path.Combine(_directory, "raw.db"), (int)synchronous);

        // Both files hold the record before anything is measured (the first set creates it, later ones update it),
        // and both sides must do the same work: same versions written, same value read back.
        if (RawSet() != 1 || TypedStateSet() != 1 || RawSet() != 2 || TypedStateSet() != 2)
        {
            throw new InvalidOperationException("The raw and TypedState upserts disagree on versions.");
        }

        var expected = JsonSerializer.Serialize(_value, Sample.TypeInfo);
        if (JsonSerializer.Serialize(RawGet()!, Sample.TypeInfo) != expected || JsonSerializer.Serialize(TypedStateGet()!, Sample.TypeInfo) != expected)
        {
            throw new InvalidOperationException("The raw and TypedState reads disagree.");
        }
    }

    /// <summary>Raw: serialize with the same JsonTypeInfo, then the prepared upsert … RETURNING version.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long RawSet()
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(_value, Sample.TypeInfo);
        return _raw.Set((long)Scope.Agent, Sample.GuildId, Sample.AgentId, Sample.Key, bytes);
    }

    /// <summary>TypedState: <c>SetAsync&lt;T&gt;</c> with the same JsonTypeInfo.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long TypedStateSet() => _manager.SetAsync(Sample.Owner, Sample.Key, _value, Sample.TypeInfo).Wait();

    /// <summary>
    /// A step of the TypedState set: serialize, then the driver's commit of the one write, with a fresh commit id (as
    /// the manager sends) or none (nothing to remember).
    /// </summary>
    public long DriverCommit(bool withCommitId)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(_value, Sample.TypeInfo);
        var write = new TypedState.Storage.StateWrite(Sample.Owner, Sample.Key, TypedState.Storage.StateWriteKind.Set, bytes, null);
        var id = withCommitId ? TypedState.Storage.CommitId.New() : TypedState.Storage.CommitId.None;
        return _manager.Driver.CommitAsync([write], [], id, CancellationToken.None).Wait().Versions[0];
    }

    /// <summary>
    /// TypedState's set of the same record in another guild of the same file, whose timeline is off (never started) or
    /// on (started on first use): what logging the commit costs, same driver, same file.
    /// </summary>
    public long GuildSet(bool timeline)
    {
        var guildId = timeline ? "bench-timeline-on" : "bench-timeline-off";
        if (timeline && !_timelineStarted)
        {
            _manager.Timelines.StartAsync(guildId).Wait();
            _timelineStarted = true;
        }

        return _manager.SetAsync(StateOwner.Agent(guildId, Sample.AgentId), Sample.Key, _value, Sample.TypeInfo).Wait();
    }

    /// <summary>Raw: the prepared select, then deserialize with the same JsonTypeInfo.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Profile? RawGet()
    {
        var (bytes, _) = _raw.Get((long)Scope.Agent, Sample.GuildId, Sample.AgentId, Sample.Key);
        return bytes is null ? null : JsonSerializer.Deserialize(bytes, Sample.TypeInfo);
    }

    /// <summary>TypedState: <c>GetAsync&lt;T&gt;</c> with the same JsonTypeInfo.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Profile? TypedStateGet() => _manager.GetAsync(Sample.Owner, Sample.Key, Sample.TypeInfo).Wait().Value;

    public async ValueTask DisposeAsync()
    {
        await _manager.DisposeAsync();
        _raw.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
