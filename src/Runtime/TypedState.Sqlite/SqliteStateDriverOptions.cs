using TypedState.DependencyInjection;

namespace TypedState.Sqlite;

/// <summary>Settings of the SQLite driver.</summary>
public sealed class SqliteStateDriverOptions
{
    /// <summary>A Microsoft.Data.Sqlite connection string, e.g. <c>Data Source=state.db</c>. Required unless <see cref="ConnectionName"/> is set.</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// The name of a connection string in the application's configuration (<c>ConnectionStrings:{name}</c>), read
    /// when the driver is built through <c>AddTypedState</c> and used as <see cref="ConnectionString"/>.
    /// </summary>
    public string? ConnectionName { get; set; }

    /// <summary>Durability of each commit. Default <see cref="SqliteSynchronousMode.Full"/>.</summary>
    public SqliteSynchronousMode Synchronous { get; set; } = SqliteSynchronousMode.Full;

    /// <summary>
    /// How long a write waits for the write lock while another connection or process holds it, counted from when the
    /// write was queued; then it fails with nothing stored. The wait holds no thread and ends early when the
    /// write's cancellation token fires. Default 30 s.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the id of an applied commit is remembered, so that a batch repeated after its answer was lost is
    /// applied once. Keep it above <see cref="StateManagerOptions.CommitRecoveryTimeout"/>. Between 1 minute and
    /// 7 days; default 10 minutes.
    /// </summary>
    public TimeSpan CommitIdRetention { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many records (or, listing owners, owners) a listing fetches per query. Default 256.</summary>
    public int ListPageSize { get; set; } = 256;

    /// <summary>How many idle connections (each with its prepared statements) are kept open. Default 16.</summary>
    public int MaxIdleConnections { get; set; } = 16;

    /// <summary>
    /// The clock lock leases and the retention of commit ids are measured with; the system clock by default. Processes sharing a file must share
    /// a clock, which they do on one machine.
    /// </summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>These settings with <see cref="ConnectionName"/> read from the configuration of <paramref name="services"/>.</summary>
    internal SqliteStateDriverOptions Resolve(IServiceProvider services)
    {
        Validate(services);
        var resolved = (SqliteStateDriverOptions)MemberwiseClone();
        if (ConnectionName is { Length: > 0 } name)
        {
            resolved.ConnectionString = ConfigurationValues.GetConnectionString(services, name);
            resolved.ConnectionName = null;
        }

        return resolved;
    }

    /// <summary>
    /// Checks the settings; a <see cref="ConnectionName"/> must name a configured connection string of
    /// <paramref name="services"/> (a driver built through <c>AddTypedState</c>) and is refused without them.
    /// </summary>
    internal void Validate(IServiceProvider? services = null)
    {
        ValidateSettings();
        ConfigurationValues.CheckConnectionName(services, ConnectionName, nameof(SqliteStateDriverOptions));
    }

    private void ValidateSettings()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString) == string.IsNullOrWhiteSpace(ConnectionName))
        {
            throw new ArgumentException(
                "Set one of SqliteStateDriverOptions.ConnectionString (e.g. \"Data Source=state.db\") and ConnectionName.", nameof(ConnectionString));
        }

        if (BusyTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(BusyTimeout), BusyTimeout, "BusyTimeout cannot be negative.");
        }

        if (CommitIdRetention < TimeSpan.FromMinutes(1) || CommitIdRetention > TimeSpan.FromDays(7))
        {
            throw new ArgumentOutOfRangeException(nameof(CommitIdRetention), CommitIdRetention, "CommitIdRetention must be between 1 minute and 7 days.");
        }

        if (ListPageSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ListPageSize), ListPageSize, "ListPageSize must be at least 1.");
        }

        if (MaxIdleConnections < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxIdleConnections), MaxIdleConnections, "MaxIdleConnections must be at least 1.");
        }
    }
}
