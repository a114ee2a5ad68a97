using System.Runtime.InteropServices;
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
    /// <returns>The position of the next parameter.</returns>
    /// <remarks>Lock statements (<see cref="PostgresSql.LockParameters"/>) start the same way, with the resource as the key.</remarks>
    public static int AddRecord(NpgsqlParameterCollection parameters, StateOwner owner, string key)
    {
        SetOwner(parameters, owner);
        Set(parameters, 3, key);
        return 4;
    }

    /// <summary>The owner as the first three positional parameters (scope, guild, agent) of a new or reused command.</summary>
    public static void SetOwner(NpgsqlParameterCollection parameters, StateOwner owner)
    {
        Set(parameters, 0, (short)owner.Scope);
        Set(parameters, 1, owner.GuildIdOrEmpty);
        Set(parameters, 2, owner.AgentIdOrEmpty);
    }

    /// <summary>As <see cref="Set{T}"/>, for a text parameter that may be NULL.</summary>
    public static void SetText(NpgsqlParameterCollection parameters, int index, string? value)
    {
        if (index == parameters.Count)
        {
            parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text });
        }

        parameters[index].Value = (object?)value ?? DBNull.Value;
    }

    /// <summary>
    /// Sets the positional parameter at <paramref name="index"/> of a reused command (<see cref="PostgresCommandPool"/>),
    /// or adds it to a new one, whose parameters are added in order.
    /// </summary>
    public static void Set<T>(NpgsqlParameterCollection parameters, int index, T value)
    {
        if (index == parameters.Count)
        {
            parameters.Add(new NpgsqlParameter<T> { TypedValue = value });
        }
        else
        {
            ((NpgsqlParameter<T>)parameters[index]).TypedValue = value;
        }
    }

    /// <summary>
    /// As <see cref="Set{T}"/>, for a value column's parameter of type <paramref name="type"/>: the bytes when
    /// <paramref name="present"/>, otherwise NULL.
    /// The parameter is untyped, so the one command serves both; a value that is a whole array is passed as the
    /// array (no copy, no box).
    /// </summary>
    private static void SetValue(NpgsqlParameterCollection parameters, int index, NpgsqlDbType type, ReadOnlyMemory<byte> value, bool present)
    {
        if (index == parameters.Count)
        {
            parameters.Add(new NpgsqlParameter { NpgsqlDbType = type });
        }

        object stored = DBNull.Value;
        if (present)
        {
            stored = MemoryMarshal.TryGetArray(value, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
                ? segment.Array
                : (object)value;
        }

        parameters[index].Value = stored;
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
    /// <returns>The position of the next parameter.</returns>
    public static int AddWrite(NpgsqlParameterCollection parameters, StateWrite write, bool jsonbWrites)
    {
        var next = AddRecord(parameters, write.Owner, write.Key);
        if (write.Kind == StateWriteKind.Set)
        {
            // Exactly one of the two columns gets the value; the parameters keep their types either way, so the
            // statement's prepared form is shared by both cases.
            var asJsonb = jsonbWrites && JsonbDocuments.CanStore(write.Value.Span);
            SetValue(parameters, next++, NpgsqlDbType.Jsonb, write.Value, asJsonb);
            SetValue(parameters, next++, NpgsqlDbType.Bytea, write.Value, !asJsonb);
        }

        if (write.ExpectedVersion is > 0 and var expected)
        {
            Set(parameters, next++, expected);
        }

        return next;
    }
}
