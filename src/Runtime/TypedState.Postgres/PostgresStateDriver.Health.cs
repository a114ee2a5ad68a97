namespace TypedState.Postgres;

// The health probe.
public sealed partial class PostgresStateDriver
{
    /// <inheritdoc />
    /// <remarks>
    /// Sets up the schema on first use (as any operation does, so a layout newer than the driver reports unhealthy),
    /// then runs <c>SELECT 1</c> on a pooled connection: a server that stopped or refuses connections fails here.
    /// </remarks>
    public async ValueTask PingAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand("SELECT 1");
        _ = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }
}
