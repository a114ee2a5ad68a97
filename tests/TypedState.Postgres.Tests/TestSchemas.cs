namespace TypedState.Tests.Postgres;

/// <summary>Fresh schema names for one test, dropped (with everything in them) by <see cref="DropAllAsync"/> when the test ends.</summary>
internal sealed class TestSchemas
{
    private readonly List<string> _names = [];

    /// <summary>A new, unused schema name, remembered for dropping.</summary>
    public string New(string purpose)
    {
        var name = PostgresTestServer.NewSchemaName(purpose);
        _names.Add(name);
        return name;
    }

    /// <summary>
    /// A new schema at storage layout <paramref name="version"/>, built by that version's own upgrades (1 to
    /// <paramref name="version"/>, unchanged since), as that driver left it.
    /// </summary>
    public async Task<string> NewAtLayoutAsync(PostgresTestServer server, string purpose, int version)
    {
        var schema = New(purpose);
        var sql = new TypedState.Postgres.PostgresSql(schema, TypedState.Postgres.PostgresValueStorage.Jsonb);
        await server.ExecuteAsync($"CREATE SCHEMA \"{schema}\"; {sql.CreateLayoutVersionTable}; INSERT INTO \"{schema}\".schema_version (id, version) VALUES (1, {version})");
        for (var upgrade = 1; upgrade <= version; upgrade++)
        {
            await server.ExecuteAsync(sql.LayoutUpgrades[upgrade - 1]);
        }

        return schema;
    }

    /// <summary>Remembers a schema created under a name of the test's choosing.</summary>
    public string Track(string name)
    {
        _names.Add(name);
        return name;
    }

    /// <summary>Drops every schema named so far.</summary>
    public async Task DropAllAsync()
    {
        var server = await PostgresTestServer.GetSharedAsync();
        await server.DropSchemasAsync(_names);
    }
}
