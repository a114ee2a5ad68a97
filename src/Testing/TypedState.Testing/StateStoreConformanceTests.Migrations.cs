using System.Text;
using TypedState.Storage;

namespace TypedState.Testing;

/// <summary>
/// Schema migrations of generated state types on every driver: the startup migrator (<see cref="StateMigrator"/>)
/// and the upgrade on read. The probe types (<see cref="AgentProbe"/>, <see cref="GuildProbe"/>,
/// <see cref="GlobalProbe"/>) are at version 3; their steps report to the test's <see cref="MigrationHooks"/>.
/// </summary>
public abstract partial class StateStoreConformanceTests
{
    private const string ProbeKey = "probe";

    // The probe plumbing and helpers live here; the tests, each a theory beside its IProbeTest, in .Upgrades.cs,
    // .Failures.cs and .Interruptions.cs.

    /// <summary>A migration test written once for the three probe types.</summary>
    private interface IProbeTest
    {
        Task RunAsync<T>(StateStoreConformanceTests suite)
            where T : IStateType<T>;
    }

    private Task ForProbe(string scope, IProbeTest test) => scope switch
    {
        "agent" => test.RunAsync<AgentProbe>(this),
        "guild" => test.RunAsync<GuildProbe>(this),
        "global" => test.RunAsync<GlobalProbe>(this),
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, null),
    };

    /// <summary>
    /// <paramref name="count"/> owners of a scope (the global scope has one): agents alternate between two guilds,
    /// and are named by their ordinal so that tests can tell which is which.
    /// </summary>
    private static List<StateOwner> ProbeOwners(Scope scope, int count) => scope switch
    {
        Scope.Agent => [.. Enumerable.Range(0, count).Select(i => StateOwner.Agent(i % 2 == 0 ? G1 : G2, $"o-{i:D2}"))],
        Scope.Guild => [.. Enumerable.Range(0, count).Select(i => StateOwner.Guild($"o-{i:D2}"))],
        _ => [StateOwner.Global],
    };

    /// <summary>The id a probe record of the owner carries: its agent id, guild id, or "global".</summary>
    private static string IdOf(StateOwner owner) => owner.AgentId ?? owner.GuildId ?? "global";

    private static int OrdinalOf(StateOwner owner) => IdOf(owner) is var id && id.StartsWith("o-", StringComparison.Ordinal) ? int.Parse(id[2..], System.Globalization.CultureInfo.InvariantCulture) : 0;

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The owners of a scope in the order the driver lists them (the order the migrator batches them in).</summary>
    private static async Task<List<StateOwner>> ListOwnersInOrderAsync(IStateDriver driver, Scope scope)
    {
        var owners = new List<StateOwner>();
        await foreach (var owner in driver.ListOwnersAsync(scope, CancellationToken.None))
        {
            owners.Add(owner);
        }

        return owners;
    }

    private static async Task<List<StateEntry<T>>> ListTypedAsync<T>(IStateOperations state, StateOwner owner, string prefix, StateSchema<T> schema)
        where T : IStateType<T>
    {
        var entries = new List<StateEntry<T>>();
        await foreach (var entry in state.ListAsync(owner, prefix, schema.TypeInfo))
        {
            entries.Add(entry);
        }

        return entries;
    }

    private static Task AssertRawAsync(IStateDriver driver, StateOwner owner, string document, long version) =>
        AssertRawAsync(driver, owner, ProbeKey, document, version);

    /// <summary>Asserts the stored document (equal by the driver contract: drivers may re-render JSON) and version of a record.</summary>
    private static async Task AssertRawAsync(IStateDriver driver, StateOwner owner, string key, string document, long version)
    {
        var record = await driver.ReadAsync(owner, key, CancellationToken.None);
        Assert.True(record.HasValue, $"{owner} key '{key}' should exist");
        StoredDocuments.AssertSame(Encoding.UTF8.GetBytes(document), record.Value.Value);
        Assert.Equal(version, record.Value.Version);
    }
}
