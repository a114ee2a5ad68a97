using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TypedState.Observability;
using TypedState.Storage;
using TypedState.Timeline;

namespace TypedState;

// This part holds construction, options, transactions, disposal and error translation; the other concerns are in
// StateManager.Reads.cs, .Writes.cs, .Locks.cs, .Json.cs and .Validation.cs.

/// <summary>
/// The state manager over any <see cref="IStateDriver"/>: validates keys, serializes values, checks versions,
/// builds transactions, reports errors with scope, owner and key, and emits logs, spans and metrics.
/// Thread-safe.
/// </summary>
public partial class StateManager : IStateManager, IAsyncDisposable, IDisposable
{
    private readonly bool _ownsDriver;
    private readonly StateFence[] _fences = [];
    private int _disposed;

    /// <summary>Creates a manager over <paramref name="driver"/>.</summary>
    /// <param name="driver">The storage driver.</param>
    /// <param name="options">Limits and serializer settings; defaults when null.</param>
    /// <param name="loggerFactory">Where logs go; none when null.</param>
    /// <param name="ownsDriver">Whether disposing the manager disposes the driver.</param>
    public StateManager(IStateDriver driver, StateManagerOptions? options = null, ILoggerFactory? loggerFactory = null, bool ownsDriver = false)
    {
        ArgumentNullException.ThrowIfNull(driver);
        options ??= new StateManagerOptions();
        options.Validate();
        Driver = driver;
        Options = options;
        Logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<StateManager>();
        _ownsDriver = ownsDriver;
    }

    /// <summary>Creates a manager from dependency-injection services.</summary>
    public StateManager(IStateDriver driver, IOptions<StateManagerOptions> options, ILoggerFactory? loggerFactory = null)
        : this(driver, options?.Value, loggerFactory, ownsDriver: false)
    {
    }

    private StateManager(StateManager source, StateFence[] fences)
    {
        Driver = source.Driver;
        Options = source.Options;
        Logger = source.Logger;
        _fences = fences;
        _ownsDriver = false;
    }

    /// <summary>The driver this manager stores through.</summary>
    public IStateDriver Driver { get; }

    /// <summary>The limits and serializer settings in force.</summary>
    public StateManagerOptions Options { get; }

    /// <inheritdoc />
    public JsonSerializerOptions SerializerOptions => Options.SerializerOptions;

    internal ILogger Logger { get; }

    /// <summary>The guild timelines of this store (on a driver that keeps them: <see cref="ITimelineDriver"/>).</summary>
    public IGuildTimelines Timelines => field ??= new GuildTimelines(this);

    /// <inheritdoc />
    public ValueTask<IStateTransaction> BeginTransactionAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return ValueTask.FromResult<IStateTransaction>(new StateTransaction(this));
    }

    /// <summary>
    /// Creates the store's storage now (a SQLite file and its tables, a PostgreSQL schema; a Redis connection is opened
    /// and checked) rather than on first use, so another process can open the store at once and a store that cannot be
    /// reached fails here. Repeatable. On the Generic Host, <see cref="DependencyInjection.TypedStateBuilder.EnsureCreatedOnStartup"/>
    /// runs it when the host starts; with plain dependency injection, call it on the registered <see cref="StateManager"/>.
    /// </summary>
    public async ValueTask EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        var tracker = OperationTracker.Start("create", Driver.Name, null, null);
        try
        {
            await Driver.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
            tracker.Complete();
        }
        catch (Exception ex)
        {
            tracker.Fail(ex);
            throw Translate(ex, "create", null, null);
        }
    }

    /// <summary>Disposes the driver when this manager owns it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsDriver)
        {
            await Driver.DisposeAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Disposes the driver when this manager owns it, synchronously: every driver of TypedState closes its
    /// connections without waiting on the network, so <c>using var services = …BuildServiceProvider()</c> works. A
    /// driver that is only <see cref="IAsyncDisposable"/> is disposed by waiting for its asynchronous disposal.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _ownsDriver)
        {
            if (Driver is IDisposable disposable)
            {
                disposable.Dispose();
            }
            else
            {
                Driver.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// The error a failed operation reports: state, argument, disposal and cancellation errors pass through; any other
    /// driver error becomes a <see cref="StateDriverException"/> with <paramref name="outcome"/> (reads store nothing;
    /// an interrupted removal or lock call may have taken effect, so those say <see cref="StateWriteOutcome.Unknown"/>).
    /// </summary>
    internal Exception Translate(Exception exception, string operation, StateOwner? owner, string? key, StateWriteOutcome outcome = StateWriteOutcome.NotApplied)
    {
        if (exception is StateException or OperationCanceledException or ArgumentException or ObjectDisposedException)
        {
            return exception.Rethrowable();
        }

        StateLog.DriverFailure(Logger, Driver.Name, operation, owner?.ToString() ?? "(batch)", exception);
        return new StateDriverException(Driver.Name, operation, owner, key, outcome, exception);
    }
}
