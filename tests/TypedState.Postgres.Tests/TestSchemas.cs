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
