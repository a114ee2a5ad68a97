using Npgsql;
using NpgsqlTypes;
using TypedState.Postgres;

namespace TypedState.Benchmarks.Parity;

// The side's commands: the driver's statement texts, with parameters of the types the driver binds (PostgresParameters).
public sealed partial class RawPostgresDriverStatementsSide
{
    /// <summary>
    /// The commands and batches of every operation for one physical connection, made once and rebound per operation,
    /// as the driver keeps its own per physical connection (PostgresCommandPool). Parameters are positional, in the
    /// statements' order (<see cref="PostgresSql.RecordParameters"/>, <see cref="PostgresSql.ListParameters"/>,
    /// <see cref="PostgresSql.LockParameters"/>); a value travels in an untyped jsonb parameter, with the bytea one NULL.
    /// </summary>
    private sealed class DriverStatements
    {
        /// <summary>Any key of the parity data: all are short, so every statement is in its short-key form.</summary>
        private static readonly string s_shortKey = ParityData.Key(0);

        public DriverStatements(PostgresSql sql, NpgsqlConnection connection)
        {
            string ForKey(string statement) => sql.ForKey(statement, s_shortKey);

            Read = new NpgsqlCommand(ForKey(sql.ReadOwn), connection);
            AddRecord(Read.Parameters);
            ListFirst = new NpgsqlCommand(sql.ListFirstUnbounded, connection);
            AddPage(ListFirst.Parameters);
            ListNext = new NpgsqlCommand(sql.ListNextUnbounded, connection);
            AddPage(ListNext.Parameters);

            Set = Guarded(sql, connection, ForKey(sql.RememberingSetAny));
            AddValue(Written(Set).Parameters);
            AddCommitId(Written(Set).Parameters);
            CompareAndSet = Guarded(sql, connection, ForKey(sql.RememberingSetIfVersion));
            AddValue(Written(CompareAndSet).Parameters);
            Written(CompareAndSet).Parameters.Add(new NpgsqlParameter<long>());
            AddCommitId(Written(CompareAndSet).Parameters);
            Delete = Guarded(sql, connection, ForKey(sql.RememberingDeleteAny));
            AddCommitId(Written(Delete).Parameters);

            Transaction = new NpgsqlBatch(connection);
            Transaction.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
            var claim = new NpgsqlBatchCommand(sql.ClaimCommit);
            claim.Parameters.Add(new NpgsqlParameter<Guid>());
            claim.Parameters.Add(new NpgsqlParameter<TimeSpan>());
            Transaction.BatchCommands.Add(claim);
            AddGuard(sql, Transaction);
            for (var i = 0; i < ParityData.TransactionWrites; i++)
            {
                var write = new NpgsqlBatchCommand(ForKey(sql.SetIfVersion));
                AddRecord(write.Parameters);
                AddValue(write.Parameters);
                write.Parameters.Add(new NpgsqlParameter<long>());
                Transaction.BatchCommands.Add(write);
            }

            Commit = new NpgsqlBatch(connection);
            var remember = new NpgsqlBatchCommand(sql.RememberCommit);
            remember.Parameters.Add(new NpgsqlParameter<long[]>());
            remember.Parameters.Add(new NpgsqlParameter<Guid>());
            Commit.BatchCommands.Add(remember);
            Commit.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));

            Grant = new NpgsqlBatch(connection);
            var ownerLock = new NpgsqlBatchCommand(sql.LockOwnerForGrant);
            AddOwner(ownerLock.Parameters);
            Grant.BatchCommands.Add(ownerLock);
            var grant = new NpgsqlBatchCommand(sql.GrantKeyLock);
            AddRecord(grant.Parameters);
            grant.Parameters.Add(new NpgsqlParameter<TimeSpan>());
            grant.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text });
            Grant.BatchCommands.Add(grant);

            Release = new NpgsqlBatch(connection);
            var release = new NpgsqlBatchCommand(ForKey(sql.ReleaseLock));
            AddRecord(release.Parameters);
            release.Parameters.Add(new NpgsqlParameter<long>());
            Release.BatchCommands.Add(release);
        }

        /// <summary><see cref="PostgresSql.ReadOwn"/>: scope, guild, agent, key.</summary>
        public NpgsqlCommand Read { get; }

        /// <summary>Listing pages: scope, guild, agent, lower bound, limit.</summary>
        public NpgsqlCommand ListFirst { get; }

        public NpgsqlCommand ListNext { get; }

        /// <summary>Single writes: the guild's lock, its refusal, the remembering write (see <see cref="Guarded"/>).</summary>
        public NpgsqlBatch Set { get; }

        public NpgsqlBatch CompareAndSet { get; }

        public NpgsqlBatch Delete { get; }

        /// <summary>The transaction's first round trip: BEGIN, the claim, the guild's lock and refusal, the ten writes.</summary>
        public NpgsqlBatch Transaction { get; }

        /// <summary>The transaction's second round trip: the versions remembered under the id, COMMIT.</summary>
        public NpgsqlBatch Commit { get; }

        /// <summary>The owner's exclusive advisory lock and the grant.</summary>
        public NpgsqlBatch Grant { get; }

        /// <summary>The release, a batch of one as the driver's.</summary>
        public NpgsqlBatch Release { get; }

        /// <summary>The write of a single-write batch (after the guild's lock and refusal).</summary>
        public static NpgsqlBatchCommand Written(NpgsqlBatch batch) => batch.BatchCommands[2];

        /// <summary>A single write's batch: the guild's shared advisory lock, the refusal of a logged guild, then <paramref name="write"/>.</summary>
        private static NpgsqlBatch Guarded(PostgresSql sql, NpgsqlConnection connection, string write)
        {
            var batch = new NpgsqlBatch(connection);
            AddGuard(sql, batch);
            var command = new NpgsqlBatchCommand(write);
            AddRecord(command.Parameters);
            batch.BatchCommands.Add(command);
            return batch;
        }

        /// <summary>The guard of an unlogged writing commit: <see cref="PostgresSql.LockWritingGuild"/> and <see cref="PostgresSql.RefuseLoggedGuild"/>, each on the guild.</summary>
        private static void AddGuard(PostgresSql sql, NpgsqlBatch batch)
        {
            foreach (var statement in (string[])[sql.LockWritingGuild, sql.RefuseLoggedGuild])
            {
                var command = new NpgsqlBatchCommand(statement);
                command.Parameters.Add(new NpgsqlParameter<string>());
                batch.BatchCommands.Add(command);
            }
        }

        private static void AddOwner(NpgsqlParameterCollection parameters)
        {
            parameters.Add(new NpgsqlParameter<short>());
            parameters.Add(new NpgsqlParameter<string>());
            parameters.Add(new NpgsqlParameter<string>());
        }

        private static void AddRecord(NpgsqlParameterCollection parameters)
        {
            AddOwner(parameters);
            parameters.Add(new NpgsqlParameter<string>());
        }

        private static void AddValue(NpgsqlParameterCollection parameters)
        {
            parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb });
            parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = DBNull.Value });
        }

        private static void AddCommitId(NpgsqlParameterCollection parameters)
        {
            parameters.Add(new NpgsqlParameter<Guid>());
            parameters.Add(new NpgsqlParameter<TimeSpan>());
        }

        private static void AddPage(NpgsqlParameterCollection parameters)
        {
            AddOwner(parameters);
            parameters.Add(new NpgsqlParameter<string>());
            parameters.Add(new NpgsqlParameter<int>());
        }

        /// <summary>The owners' ids, made once as an application's owner objects are (<see cref="StateOwner"/>).</summary>
        private static readonly string[] s_guilds = [.. Enumerable.Range(0, ParityData.Owners).Select(ParityData.GuildId)];

        private static readonly string[] s_agents = [.. Enumerable.Range(0, ParityData.Owners).Select(ParityData.AgentId)];

        /// <summary>Binds parity owner <paramref name="owner"/> (an agent) as scope, guild and agent.</summary>
        public static void BindOwner(NpgsqlParameterCollection parameters, int owner)
        {
            ((NpgsqlParameter<short>)parameters[0]).TypedValue = (short)Scope.Agent;
            ((NpgsqlParameter<string>)parameters[1]).TypedValue = s_guilds[owner];
            ((NpgsqlParameter<string>)parameters[2]).TypedValue = s_agents[owner];
        }

        public static void BindRecord(NpgsqlParameterCollection parameters, int owner, string key)
        {
            BindOwner(parameters, owner);
            ((NpgsqlParameter<string>)parameters[3]).TypedValue = key;
        }

        /// <summary>Binds a write's record, value (jsonb; the bytea parameter stays NULL) and, when given, its expected version.</summary>
        public static void BindWrite(NpgsqlParameterCollection parameters, int owner, string key, byte[] value, long expected = 0)
        {
            BindRecord(parameters, owner, key);
            parameters[4].Value = value;
            if (expected > 0)
            {
                ((NpgsqlParameter<long>)parameters[6]).TypedValue = expected;
            }
        }

        /// <summary>Binds a remembering write's commit id and retention, its last two parameters.</summary>
        public static void BindCommitId(NpgsqlParameterCollection parameters, Guid id, TimeSpan retention)
        {
            ((NpgsqlParameter<Guid>)parameters[^2]).TypedValue = id;
            ((NpgsqlParameter<TimeSpan>)parameters[^1]).TypedValue = retention;
        }

        public static void BindPage(NpgsqlParameterCollection parameters, int owner, string lower, int limit)
        {
            BindOwner(parameters, owner);
            ((NpgsqlParameter<string>)parameters[3]).TypedValue = lower;
            ((NpgsqlParameter<int>)parameters[4]).TypedValue = limit;
        }

        public static void BindGrant(NpgsqlParameterCollection parameters, int owner, string resource, TimeSpan lease, string holder)
        {
            BindRecord(parameters, owner, resource);
            ((NpgsqlParameter<TimeSpan>)parameters[4]).TypedValue = lease;
            parameters[5].Value = holder;
        }

        public static void BindRelease(NpgsqlParameterCollection parameters, int owner, string resource, long token)
        {
            BindRecord(parameters, owner, resource);
            ((NpgsqlParameter<long>)parameters[4]).TypedValue = token;
        }
    }
}
