using System.Runtime.CompilerServices;
using Npgsql;

namespace TypedState.Benchmarks.Parity;

// The side's writes: the driver's single-write round trip (CommitOneAsync) and its two-round-trip batch (CommitBatchAsync).
public sealed partial class RawPostgresDriverStatementsSide
{
    /// <summary>The guild of the owner the writes change.</summary>
    private readonly string _writeGuild = ParityData.GuildId(ParityData.WriteOwner);

    protected override long WriteOne(string key) => WriteAsync(s => s.Set, key, 0).Wait();

    protected override long CompareAndSet(string key, long expected) => WriteAsync(s => s.CompareAndSet, key, expected).Wait();

    protected override long Delete(string key)
    {
        WriteOne(key);
        return WriteAsync(s => s.Delete, key, 0, value: false).Wait() >= 0 ? 1 : 0;
    }

    /// <summary>
    /// A single write in one round trip: the guild's lock and refusal, then the remembering write under a new commit
    /// id; returns the version the write's statement returned (a delete's is the version it deleted), -1 for none.
    /// A set or compare-and-set that wrote nothing conflicted; a delete of an absent key applied as a no-op.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<long> WriteAsync(Func<DriverStatements, NpgsqlBatch> write, string key, long expected, bool value = true)
    {
        var statements = await OpenAsync();
        try
        {
            var batch = write(statements);
            var parameters = DriverStatements.Written(batch).Parameters;
            ((NpgsqlParameter<string>)batch.BatchCommands[0].Parameters[0]).TypedValue = _writeGuild;
            ((NpgsqlParameter<string>)batch.BatchCommands[1].Parameters[0]).TypedValue = _writeGuild;
            if (value)
            {
                DriverStatements.BindWrite(parameters, ParityData.WriteOwner, key, ParityData.Serialize(Value), expected);
            }
            else
            {
                DriverStatements.BindRecord(parameters, ParityData.WriteOwner, key);
            }

            DriverStatements.BindCommitId(parameters, Guid.CreateVersion7(), s_retention);

            // The reader moves over the statements that return results: the guild's lock and refusal, then the write.
            await using var reader = await batch.ExecuteReaderAsync();
            await reader.NextResultAsync();
            await reader.NextResultAsync();
            if (await reader.ReadAsync())
            {
                return reader.GetInt64(0);
            }

            return value ? throw new InvalidOperationException("conflict") : -1;
        }
        finally
        {
            await _connection.CloseAsync();
        }
    }

    protected override long Transaction(long[] versions) => TransactionAsync(versions).Wait();

    /// <summary>
    /// The driver's batch of ten conditional writes: BEGIN, the claim of the commit id, the guild's lock and refusal and
    /// the writes in one round trip; the versions remembered under the id and COMMIT in the second.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<long> TransactionAsync(long[] versions)
    {
        var statements = await OpenAsync();
        try
        {
            var id = Guid.CreateVersion7();
            var batch = statements.Transaction;
            DriverStatements.BindCommitId(batch.BatchCommands[1].Parameters, id, s_retention);
            ((NpgsqlParameter<string>)batch.BatchCommands[2].Parameters[0]).TypedValue = _writeGuild;
            ((NpgsqlParameter<string>)batch.BatchCommands[3].Parameters[0]).TypedValue = _writeGuild;
            const int firstWrite = 4;

            // Each write serializes its value, as ten writes of an application would; keys 20–29 are in the driver's lock order.
            for (var i = 0; i < versions.Length; i++)
            {
                DriverStatements.BindWrite(batch.BatchCommands[firstWrite + i].Parameters, ParityData.WriteOwner, ParityData.Key(ParityData.TransactionKeys + i), ParityData.Serialize(Value), versions[i]);
            }

            var written = new long[versions.Length];
            var conflict = false;
            await using (var reader = await batch.ExecuteReaderAsync())
            {
                // The reader starts at the guild lock's row (BEGIN and the claim return none), then the refusal, then each write.
                await reader.NextResultAsync();
                for (var i = 0; i < versions.Length; i++)
                {
                    await reader.NextResultAsync();
                    if (await reader.ReadAsync())
                    {
                        written[i] = reader.GetInt64(0);
                    }
                    else
                    {
                        conflict = true;
                    }
                }
            }

            if (conflict)
            {
                await using var rollback = new NpgsqlCommand("ROLLBACK", _connection);
                await rollback.ExecuteNonQueryAsync();
                throw new InvalidOperationException("conflict");
            }

            var commit = statements.Commit;
            ((NpgsqlParameter<long[]>)commit.BatchCommands[0].Parameters[0]).TypedValue = written;
            ((NpgsqlParameter<Guid>)commit.BatchCommands[0].Parameters[1]).TypedValue = id;
            await commit.ExecuteNonQueryAsync();
            written.CopyTo(versions, 0);
            return versions[0];
        }
        finally
        {
            await _connection.CloseAsync();
        }
    }
}
