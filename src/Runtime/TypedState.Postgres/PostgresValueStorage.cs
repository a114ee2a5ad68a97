namespace TypedState.Postgres;

/// <summary>The PostgreSQL type of the column that holds record values; fixed when a schema is created.</summary>
public enum PostgresValueStorage
{
    /// <summary>
    /// <c>bytea</c>: the exact UTF-8 JSON bytes the core wrote, read back byte for byte (the default). Every value
    /// the core can serialize is stored, including strings containing U+0000, and property order is kept (which
    /// System.Text.Json's <c>$type</c> and <c>$id</c> metadata need). Query the values in SQL with
    /// <c>convert_from(value, 'UTF8')::jsonb</c>.
    /// </summary>
    Bytea = 0,

    /// <summary>
    /// <c>jsonb</c>: values are parsed by the server, so they can be queried and indexed directly, and bytes that
    /// are not JSON are refused. PostgreSQL normalizes what it stores: values read back are the server's
    /// rendering (whitespace, object property order and number spelling may differ from what was written),
    /// strings containing U+0000 cannot be stored, and polymorphic types need
    /// <c>JsonSerializerOptions.AllowOutOfOrderMetadataProperties</c>. Requires a UTF-8 database.
    /// </summary>
    Jsonb = 1,
}
