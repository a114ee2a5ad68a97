using System.Runtime.CompilerServices;
using Npgsql;
using TypedState.Storage;

namespace TypedState.Postgres;

/// <summary>
/// Closed <see cref="NpgsqlConnection"/> objects kept for the next operation: a commit, read or lock call opens one of
/// them again (Npgsql hands it a physical connection from its pool, as for a new object) and closes it when done, so it
/// makes no connection object of its own. At most the given number wait here; one that does not close at once is disposed, not kept.
/// </summary>
internal sealed class PostgresConnectionObjects(NpgsqlDataSource dataSource, int maxIdle)
{
    private readonly PostgresIdleSet<NpgsqlConnection> _idle = new(maxIdle);

    /// <summary>An open connection, to give back with <see cref="Lease.DisposeAsync"/> (an <c>await using</c>).</summary>
    [AsyncMethodBuilder(typeof(SharedPoolValueTaskMethodBuilder<>))]
    public async ValueTask<Lease> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = _idle.TryTake() ?? dataSource.CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new Lease(this, connection);
    }

    /// <summary>Closes <paramref name="connection"/> (its physical connection goes back to Npgsql's pool) and keeps it.</summary>
    private ValueTask GiveBackAsync(NpgsqlConnection connection)
    {
        var closing = connection.CloseAsync();
        if (closing.IsCompletedSuccessfully && connection.FullState == System.Data.ConnectionState.Closed && _idle.Give(connection))
        {
            return ValueTask.CompletedTask;
        }

        return DisposeAfterAsync(closing, connection);
    }

    /// <summary>A connection that did not close at once, or is not kept: disposed once closed.</summary>
    private static async ValueTask DisposeAfterAsync(Task closing, NpgsqlConnection connection)
    {
        try
        {
            await closing.ConfigureAwait(false);
        }
        finally
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>An open connection of <see cref="OpenAsync"/>; disposing it gives the connection back.</summary>
    public readonly struct Lease(PostgresConnectionObjects owner, NpgsqlConnection connection) : IAsyncDisposable
    {
        public NpgsqlConnection Connection { get; } = connection;

        public ValueTask DisposeAsync() => owner.GiveBackAsync(Connection);
    }
}
