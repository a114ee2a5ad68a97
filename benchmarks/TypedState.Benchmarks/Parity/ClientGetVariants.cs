using System.Text.Json;
using Npgsql;
using TypedState.Postgres;

namespace TypedState.Benchmarks.Parity;

/// <summary>
/// Gets between the raw client and TypedState, one difference at a time, for <see cref="ClientProfile"/>: where a
/// get's client time goes. Each reads the parity data's get owner, key by key as the parity sides do, and
/// deserializes the value with the same type info.
/// </summary>
internal static class ClientGetVariants
{
    /// <summary>The sides to run between raw and TypedState.</summary>
    public static IEnumerable<(string Name, ParitySide Side)> Create(string connectionString)
    {
        yield return ("raw, pooled connection", new PooledRawGet(connectionString));
        yield return ("raw, driver's read-through statement", new DriverStatementGet(connectionString, sql => sql.Read));
        yield return ("raw, driver's own-row statement", new DriverStatementGet(connectionString, sql => sql.ReadOwn));
        yield return ("driver alone", new DriverGet(connectionString));
    }

    /// <summary>A data source as the raw client and the driver build theirs.</summary>
    private static NpgsqlDataSource DataSource(string connectionString) => RawPostgresSide.DriverLikeDataSource(connectionString);

    /// <summary>Only get is measured; the other operations are not this file's concern.</summary>
    private abstract class GetOnly : ParitySide
    {
        protected override long ReadVersion(int keyIndex) => 0;

        protected override long WriteOne(string key) => throw new NotSupportedException();

        protected override long CompareAndSet(string key, long expected) => throw new NotSupportedException();

        protected override long Delete(string key) => throw new NotSupportedException();

        protected override long Transaction(long[] versions) => throw new NotSupportedException();

        protected override long List() => throw new NotSupportedException();

        protected override long LockRoundTrip() => throw new NotSupportedException();
    }

    /// <summary>The raw client's statement on a pooled connection opened and closed per get, as the driver reads.</summary>
    private sealed class PooledRawGet(string connectionString) : GetOnly
    {
        private readonly NpgsqlDataSource _dataSource = DataSource(connectionString);
        private readonly string _owner = ParityData.RawOwner(ParityData.GetOwner);
        private NpgsqlCommand? _command;

        protected override long ReadOne(string key) => GetAsync(key).GetAwaiter().GetResult();

        private async Task<long> GetAsync(string key)
        {
            await using var connection = await _dataSource.OpenConnectionAsync();
            var command = _command ??= new NpgsqlCommand("SELECT version, value FROM raw.records WHERE owner = $1 AND key = $2")
            {
                Parameters = { new NpgsqlParameter<string>(), new NpgsqlParameter<string>() },
            };
            ((NpgsqlParameter<string>)command.Parameters[0]).TypedValue = _owner;
            ((NpgsqlParameter<string>)command.Parameters[1]).TypedValue = key;
            command.Connection = connection;
            long count;
            await using (var reader = await command.ExecuteReaderAsync())
            {
                count = await reader.ReadAsync() ? JsonSerializer.Deserialize(reader.GetFieldValue<byte[]>(1), ParityData.TypeInfo)!.Count : throw new InvalidOperationException("absent");
            }

            command.Connection = null;
            return count;
        }

        public override async ValueTask DisposeAsync() => await _dataSource.DisposeAsync();
    }

    /// <summary>
    /// A read statement of the driver (short-key form) on one held connection, prepared: the statement's own cost.
    /// <c>Read</c> (the own row, or what a fork reads through its source) was the driver's one statement per read;
    /// <c>ReadOwn</c> (the own row and the fork marker) is its first statement now.
    /// </summary>
    private sealed class DriverStatementGet : GetOnly
    {
        private readonly NpgsqlDataSource _dataSource;
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlCommand _command;
        private readonly StateOwner _owner = ParityData.Owner(ParityData.GetOwner);

        public DriverStatementGet(string connectionString, Func<PostgresSql, string> statement)
        {
            _dataSource = DataSource(connectionString);
            _connection = _dataSource.OpenConnection();
            var sql = new PostgresSql(PostgresStateDriverOptions.DefaultSchema, PostgresValueStorage.Jsonb);
            _command = new NpgsqlCommand(sql.ForKey(statement(sql), ParityData.Key(0)), _connection);
            PostgresParameters.AddRecord(_command.Parameters, _owner, ParityData.Key(0));
            _command.Prepare();
        }

        protected override long ReadOne(string key) => GetAsync(key).GetAwaiter().GetResult();

        private async Task<long> GetAsync(string key)
        {
            PostgresParameters.AddRecord(_command.Parameters, _owner, key);
            await using var reader = await _command.ExecuteReaderAsync();
            return await reader.ReadAsync() ? JsonSerializer.Deserialize(reader.GetFieldValue<byte[]>(0), ParityData.TypeInfo)!.Count : throw new InvalidOperationException("absent");
        }

        public override async ValueTask DisposeAsync()
        {
            await _connection.DisposeAsync();
            await _dataSource.DisposeAsync();
        }
    }

    /// <summary>The driver's read without the manager (no key validation, telemetry or the manager's deserialization).</summary>
    private sealed class DriverGet(string connectionString) : GetOnly
    {
        private readonly PostgresStateDriver _driver = new(new PostgresStateDriverOptions { ConnectionString = connectionString });
        private readonly StateOwner _owner = ParityData.Owner(ParityData.GetOwner);

        protected override long ReadOne(string key)
        {
            var pending = _driver.ReadAsync(_owner, key, CancellationToken.None);
            var record = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
            return record is { } found ? JsonSerializer.Deserialize(found.Value.Span, ParityData.TypeInfo)!.Count : throw new InvalidOperationException("absent");
        }

        public override ValueTask DisposeAsync() => _driver.DisposeAsync();
    }
}
