using Microsoft.Extensions.Logging;
using Npgsql;

namespace TypedState.Postgres;

// Set-up: the data source the driver builds (connection tuning), and first use (storage layout, database encoding).
public sealed partial class PostgresStateDriver
{
    /// <summary>A data source for <paramref name="connectionString"/>, tuned for the driver's few fixed statements.</summary>
    private static NpgsqlDataSource BuildDataSource(string connectionString, ILoggerFactory? loggerFactory)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var settings = builder.ConnectionStringBuilder;
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };

        // A handful of fixed statements: prepared once per connection they skip parsing and planning, and since
        // the driver keeps no session state (only transaction-scoped locks), resetting a connection on its way
        // back to the pool is pure cost. Measured in benchmarks/README.md; explicit settings are kept.
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            settings.MaxAutoPrepare = 64;
        }

        if (!given.ContainsKey("No Reset On Close") && !given.ContainsKey("NoResetOnClose"))
        {
            settings.NoResetOnClose = true;
        }

        if (loggerFactory is not null)
        {
            builder.UseLoggerFactory(loggerFactory);
        }

        return builder.Build();
    }

    private ValueTask EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var initialization = Volatile.Read(ref _initialization);
        return initialization is { IsCompletedSuccessfully: true } ? ValueTask.CompletedTask : new ValueTask(WaitForInitializationAsync(cancellationToken));
    }

    private async Task WaitForInitializationAsync(CancellationToken cancellationToken)
    {
        Task initialization;
        lock (_initializeGate)
        {
            // A failed attempt (server down, storage layout too new) is not cached: the next operation tries again.
            if (_initialization is null || _initialization.IsFaulted || _initialization.IsCanceled)
            {
                _initialization = InitializeAsync();
            }

            initialization = _initialization;
        }

        await initialization.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates the schema or upgrades its storage layout. Concurrent first use from several processes is serialized
    /// by an advisory lock held for the upgrade's transaction; a layout newer than the driver is refused before
    /// anything changes.
    /// </summary>
    private async Task InitializeAsync()
    {
        await using var connection = await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
        var stored = await ReadStoredLayoutVersionAsync(connection, null).ConfigureAwait(false);
        if (stored > PostgresSql.LayoutVersion)
        {
            throw NewerLayout(stored);
        }

        if (stored < PostgresSql.LayoutVersion)
        {
            await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, PostgresSql.LockLayoutUpgrade, new NpgsqlParameter<string>("schema", _sql.Schema)).ConfigureAwait(false);
            await using (var exists = new NpgsqlCommand(PostgresSql.SchemaExists, connection, transaction))
            {
                exists.Parameters.Add(new NpgsqlParameter<string>("schema", _sql.Schema));
                if (await exists.ExecuteScalarAsync().ConfigureAwait(false) is not true)
                {
                    await ExecuteAsync(connection, transaction, _sql.CreateSchema).ConfigureAwait(false);
                }
            }

            await ExecuteAsync(connection, transaction, _sql.CreateLayoutVersionTable).ConfigureAwait(false);
            stored = await ReadStoredLayoutVersionAsync(connection, transaction).ConfigureAwait(false);
            if (stored > PostgresSql.LayoutVersion)
            {
                throw NewerLayout(stored);
            }

            for (var next = stored + 1; next <= PostgresSql.LayoutVersion; next++)
            {
                await ExecuteAsync(connection, transaction, _sql.LayoutUpgrades[next - 1]).ConfigureAwait(false);
                LogLayoutUpgraded(_sql.Schema, next);
            }

            if (stored < PostgresSql.LayoutVersion)
            {
                await ExecuteAsync(connection, transaction, _sql.WriteLayoutVersion, new NpgsqlParameter<int>("version", PostgresSql.LayoutVersion)).ConfigureAwait(false);
            }

            await transaction.CommitAsync().ConfigureAwait(false);
        }

        // jsonb text is stored in the database encoding: in any other than UTF-8, characters outside it (or escapes
        // of them) are refused, so such a database gets exact bytes only.
        var encoding = connection.PostgresParameters.GetValueOrDefault("server_encoding");
        _jsonbWrites = _sql.Storage == PostgresValueStorage.Jsonb && string.Equals(encoding, "UTF8", StringComparison.OrdinalIgnoreCase);

        // In SQL_ASCII a character is a byte: a key's 128-character head may then hold fewer than 128 of its characters.
        _shortKeyForms = !string.Equals(encoding, "SQL_ASCII", StringComparison.OrdinalIgnoreCase);
        if (_sql.Storage == PostgresValueStorage.Jsonb && !_jsonbWrites)
        {
            LogNotUtf8(_sql.Schema, encoding);
        }
    }

    /// <summary>The stored storage layout version, or 0 when the layout version table does not exist yet.</summary>
    private async Task<int> ReadStoredLayoutVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        await using (var exists = new NpgsqlCommand(PostgresSql.LayoutVersionTableExists, connection, transaction))
        {
            exists.Parameters.Add(new NpgsqlParameter<string>("table", _sql.LayoutVersionTable));
            if (await exists.ExecuteScalarAsync().ConfigureAwait(false) is not true)
            {
                return 0;
            }
        }

        await using var read = new NpgsqlCommand(_sql.ReadLayoutVersion, connection, transaction);
        return await read.ExecuteScalarAsync().ConfigureAwait(false) is int version ? version : 0;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, NpgsqlParameter? parameter = null)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        if (parameter is not null)
        {
            command.Parameters.Add(parameter);
        }

        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private StateException NewerLayout(int stored) => new(
        $"The PostgreSQL schema {_sql.QuotedSchema} has TypedState storage layout version {stored}, newer than this driver understands " +
        $"({PostgresSql.LayoutVersion}). Upgrade TypedState.Postgres; the database was left unchanged.");

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Upgraded the storage layout of the PostgreSQL state schema '{Schema}' to version {Version}")]
    private partial void LogLayoutUpgraded(string schema, int version);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "The database of the PostgreSQL state schema '{Schema}' is encoded in {Encoding}, not UTF-8: values are stored as exact bytes (value_bytes), not as jsonb")]
    private partial void LogNotUtf8(string schema, string? encoding);
}
