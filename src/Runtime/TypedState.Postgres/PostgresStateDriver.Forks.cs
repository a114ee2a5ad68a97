using System.Collections.Concurrent;
using Npgsql;
using TypedState.Storage;

namespace TypedState.Postgres;

// The read-through of forks (copy-on-write): a fork's owner reads its own rows and, for a record it has no row of, what
// its source held at the fork point, through forks of forks. A read does it in its own statement, and a first listing
// page learns that a guild is a fork from a marker row of its statement (PostgresSql.Timelines.cs), so nothing is
// cached about forks; the logged commit copies an inherited record into the fork before writing it
// (PostgresStateDriver.LoggedCommit.cs).
public sealed partial class PostgresStateDriver
{
    /// <summary>
    /// Guilds this driver saw keep a timeline: their commits go straight to the logged path, sparing the refused
    /// attempt on the unlogged one. Only a shortcut: a guild missing here is caught by the unlogged path's guard, and
    /// the logged path is right for a guild that lost its timeline since.
    /// </summary>
    private readonly ConcurrentDictionary<string, bool> _loggedGuilds = new(StringComparer.Ordinal);

    /// <summary>The live records of a fork's owner under a prefix, own and inherited, in key order (one query, not paged).</summary>
    private async Task<List<StoredRecord>> ListForkAsync(StateOwner owner, string prefix, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(_sql.ForkList);
        AddOwnerRange(command.Parameters, owner, prefix);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await ReadKeyedRecordsAsync(reader, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The owners of a scope in forks that hold a live record, own or inherited.</summary>
    private async Task<List<(string Guild, string Agent)>> ReadForkOwnersAsync(Scope scope, CancellationToken cancellationToken)
    {
        var owners = new List<(string Guild, string Agent)>();
        if (scope == Scope.Global)
        {
            return owners;
        }

        await using var command = _dataSource.CreateCommand(_sql.ForkOwners);
        command.Parameters.Add(new NpgsqlParameter<short>("scope", (short)scope));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            owners.Add((reader.GetString(0), reader.GetString(1)));
        }

        return owners;
    }

    /// <summary>Owners in code point order of guild, then agent, without repeats.</summary>
    private static List<(string Guild, string Agent)> SortedOwners(IEnumerable<(string Guild, string Agent)> owners)
    {
        var sorted = owners.Distinct().ToList();
        sorted.Sort(static (a, b) =>
        {
            var byGuild = StateKeyOrder.Comparer.Compare(a.Guild, b.Guild);
            return byGuild != 0 ? byGuild : StateKeyOrder.Comparer.Compare(a.Agent, b.Agent);
        });
        return sorted;
    }
}
