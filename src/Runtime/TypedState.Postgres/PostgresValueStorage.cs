namespace TypedState.Postgres;

/// <summary>
/// Where the PostgreSQL driver writes record values. Every record row has two value columns, <c>value jsonb</c> and
/// <c>value_bytes bytea</c>, exactly one of them set on a live record; this setting only decides which one a write
/// uses, and reads return either. Values read back are always the same JSON document as written (the contract of
/// <see cref="TypedState.Storage.IStateDriver"/>); only <see cref="Bytea"/> also keeps its spelling byte for byte.
/// </summary>
public enum PostgresValueStorage
{
    /// <summary>
    /// <c>bytea</c> only: every value is written to <c>value_bytes</c> and read back byte for byte, with its
    /// whitespace, property order and number spelling as the serializer wrote them. For applications that need the
    /// exact bytes (signatures, hashes of stored documents). Query the values in SQL with
    /// <c>convert_from(value_bytes, 'UTF8')::jsonb</c>.
    /// </summary>
    Bytea = 0,

    /// <summary>
    /// <c>jsonb</c> (the default): a value PostgreSQL can hold as jsonb is written to <c>value</c>, so it can be
    /// queried and indexed directly (<c>value->>'name'</c>). PostgreSQL stores the parsed document, so a value reads
    /// back as the server renders it: whitespace, object property order and number spelling may differ from what
    /// was written (System.Text.Json's <c>$type</c> metadata then needs
    /// <c>JsonSerializerOptions.AllowOutOfOrderMetadataProperties</c>, which the manager's default options set).
    /// A value jsonb cannot hold with the same meaning — bytes that are not UTF-8 JSON, strings with the escape
    /// <c>\u0000</c> or an unpaired surrogate, duplicate property names, a negative zero, extreme numbers, or more
    /// than 32 MiB — is written to <c>value_bytes</c> byte for byte instead, decided on the client before sending.
    /// Requires a UTF-8 database.
    /// </summary>
    Jsonb = 1,
}
