using Npgsql;
using NpgsqlTypes;
using TypedState.Storage;

namespace TypedState.Postgres;

/// <summary>
/// Binds the parameters of the driver's statements: named ones for lock and fence statements, unnamed ones, in
/// <see cref="PostgresSql.RecordParameters"/> or <see cref="PostgresSql.ListParameters"/> order, for the hot record
/// and listing statements (Npgsql then need not parse the SQL for names).
/// </summary>
internal static class PostgresParameters
{
    /// <summary>The owner's named parameters (@scope, @guild, @agent) of a lock or fence statement.</summary>
    public static void AddOwner(NpgsqlParameterCollection parameters, StateOwner owner)
    {
        parameters.Add(new NpgsqlParameter<short>("scope", (short)owner.Scope));
        parameters.Add(new NpgsqlParameter<string>("guild", owner.GuildIdOrEmpty));
        parameters.Add(new NpgsqlParameter<string>("agent", owner.AgentIdOrEmpty));
    }

    /// <summary>The owner's parameters of a positional statement (<see cref="PostgresSql.RecordParameters"/>, <see cref="PostgresSql.ListParameters"/>).</summary>
    public static void AddPositionalOwner(NpgsqlParameterCollection parameters, StateOwner owner)
    {
        parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)owner.Scope });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = owner.GuildIdOrEmpty });
        parameters.Add(new NpgsqlParameter<string> { TypedValue = owner.AgentIdOrEmpty });
    }

    /// <summary>The parameters of a record statement without a value, in <see cref="PostgresSql.RecordParameters"/> order.</summary>
    public static void AddRecord(NpgsqlParameterCollection parameters, StateOwner owner, string key)
    {
        AddPositionalOwner(parameters, owner);
        parameters.Add(new NpgsqlParameter<string> { TypedValue = key });
    }

    /// <summary>The named parameters of a lock statement: the owner and the resource ('' for the whole owner).</summary>
    public static void AddLock(NpgsqlParameterCollection parameters, StateOwner owner, string? key)
    {
        AddOwner(parameters, owner);
        parameters.Add(new NpgsqlParameter<string>("resource", key ?? string.Empty));
    }

    /// <summary>The parameters of a write statement, in <see cref="PostgresSql.RecordParameters"/> order.</summary>
    /// <remarks>
    /// A set's value goes to the jsonb parameter when <paramref name="jsonbWrites"/> (the driver writes jsonb) and
    /// <see cref="JsonbDocuments.CanStore"/> say so, otherwise to the exact-bytes one.
    /// </remarks>
    public static void AddWrite(NpgsqlParameterCollection parameters, StateWrite write, bool jsonbWrites)
    {
        AddRecord(parameters, write.Owner, write.Key);
        if (write.Kind == StateWriteKind.Set)
        {
            // Exactly one of the two columns gets the value; the parameters keep their types either way, so the
            // statement's prepared form is shared by both cases.
            var asJsonb = jsonbWrites && JsonbDocuments.CanStore(write.Value.Span);
            parameters.Add(asJsonb
                ? new NpgsqlParameter<ReadOnlyMemory<byte>> { TypedValue = write.Value, NpgsqlDbType = NpgsqlDbType.Jsonb }
                : new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = DBNull.Value });
            parameters.Add(asJsonb
                ? new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = DBNull.Value }
                : new NpgsqlParameter<ReadOnlyMemory<byte>> { TypedValue = write.Value, NpgsqlDbType = NpgsqlDbType.Bytea });
        }

        if (write.ExpectedVersion is > 0 and var expected)
        {
            parameters.Add(new NpgsqlParameter<long> { TypedValue = expected });
        }
    }
}
