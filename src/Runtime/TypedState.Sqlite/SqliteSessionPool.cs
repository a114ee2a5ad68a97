using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace TypedState.Sqlite;

/// <summary>
/// The driver's read connections: each a <see cref="SqliteSession"/> that keeps its prepared statements, kept idle
/// between operations (the provider's own pool is off, as it would not keep them); and the writer's own connection. Before the first new session is
/// handed out, a session of its own prepares the file (WAL, storage layout), once.
/// </summary>
internal sealed class SqliteSessionPool : IDisposable
{
    private readonly ConcurrentBag<SqliteSession> _idle = [];
    private readonly string _connectionString;
    private readonly SqliteStateDriverOptions _options;
    private readonly Action<SqliteSession> _prepareFile;
    private readonly Lock _prepareGate = new();
    private volatile bool _prepared;

    // Counted here: ConcurrentBag.Count locks every thread's list, which a return on every read must not do.
    private int _idleCount;
    private volatile bool _disposed;

    /// <summary>Creates the pool; nothing is opened until the first <see cref="Run"/>.</summary>
    public SqliteSessionPool(string connectionString, SqliteStateDriverOptions options, Action<SqliteSession> prepareFile)
    {
        _connectionString = connectionString;
        _options = options;
        _prepareFile = prepareFile;
    }

    /// <summary>Whether <see cref="Dispose"/> has closed the pool.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>
    /// Runs <paramref name="work"/> on a pooled session and returns the session to the pool; a session that failed
    /// is closed, not reused.
    /// </summary>
    public T Run<TState, T>(TState state, Func<SqliteSession, TState, T> work)
    {
        var session = Rent();
        try
        {
            var result = work(session, state);
            Return(session);
            return result;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens a session of its own for the writer, once the file is prepared. Its busy_timeout is 0: SQLITE_BUSY comes
    /// back at once, and the writer waits for the lock asynchronously instead of sleeping in SQLite's busy handler.
    /// </summary>
    public SqliteSession OpenWriter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        EnsurePrepared();
        return Open(busyTimeoutMilliseconds: 0);
    }

    /// <summary>Closes every idle session; sessions in use are closed when they come back.</summary>
    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var session))
        {
            Interlocked.Decrement(ref _idleCount);
            session.Dispose();
        }
    }

    private SqliteSession Rent()
    {
        if (_idle.TryTake(out var session))
        {
            Interlocked.Decrement(ref _idleCount);
            return session;
        }

        EnsurePrepared();
        return Open((long)_options.BusyTimeout.TotalMilliseconds);
    }

    private void Return(SqliteSession session)
    {
        if (!_disposed)
        {
            if (Interlocked.Increment(ref _idleCount) <= _options.MaxIdleConnections)
            {
                _idle.Add(session);
                return;
            }

            Interlocked.Decrement(ref _idleCount);
        }

        session.Dispose();
    }

    private SqliteSession Open(long busyTimeoutMilliseconds)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var pragma = connection.CreateCommand();
            pragma.CommandText = string.Create(
                CultureInfo.InvariantCulture,
                $"PRAGMA busy_timeout = {busyTimeoutMilliseconds}; PRAGMA synchronous = {(int)_options.Synchronous};");
            pragma.ExecuteNonQuery();
            return new SqliteSession(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Prepares the file once; a failed attempt is not remembered, so the next session tries again.</summary>
    private void EnsurePrepared()
    {
        if (_prepared)
        {
            return;
        }

        lock (_prepareGate)
        {
            if (_prepared)
            {
                return;
            }

            using var session = Open((long)_options.BusyTimeout.TotalMilliseconds);
            _prepareFile(session);
            _prepared = true;
        }
    }
}
