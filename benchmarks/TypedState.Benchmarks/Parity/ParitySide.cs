namespace TypedState.Benchmarks.Parity;

/// <summary>The operations of the comparison.</summary>
public enum ParityOp
{
    Get,
    Set,
    CompareAndSet,
    Delete,
    Transaction,
    List,
    Lock,
}

/// <summary>
/// One side of a comparison (TypedState, a raw client, or a peer library) on one server. Each call does one operation
/// synchronously (blocking on the async API where the client has one) and returns a number that depends on the
/// result, so that no work can be skipped. The state each operation needs (the next key, the expected versions) lives
/// in the side, so that two instances (an A/A comparison) do not disturb each other's expectations.
/// </summary>
public abstract class ParitySide : IAsyncDisposable
{
    private int _get;
    private int _set;
    private int _cas;
    private readonly long[] _casVersions = new long[ParityData.TransactionWrites];
    private readonly long[] _transactionVersions = new long[ParityData.TransactionWrites];
    /// <summary>The value every write stores.</summary>
    protected Note Value { get; } = ParityData.Create(ParityData.WriteOwner, 0);

    /// <summary>Whether the side has the operation (a peer may lack one).</summary>
    public virtual bool Supports(ParityOp op) => true;

    /// <summary>Reads the versions its compare-and-sets and transactions start from (after the seeding).</summary>
    public void Prepare()
    {
        for (var i = 0; i < ParityData.TransactionWrites; i++)
        {
            _casVersions[i] = ReadVersion(ParityData.CasKeys + i);
            _transactionVersions[i] = ReadVersion(ParityData.TransactionKeys + i);
        }
    }

    /// <summary>How many operations the side has run (for per-operation server figures).</summary>
    public long Operations { get; private set; }

    public long Run(ParityOp op)
    {
        Operations++;
        switch (op)
        {
            case ParityOp.Get:
                _get = (_get + 7) % ParityData.RecordsPerOwner;
                return ReadOne(ParityData.Key(_get));
            case ParityOp.Set:
                _set = (_set + 1) % ParityData.TransactionWrites;
                return WriteOne(ParityData.Key(ParityData.SetKeys + _set));
            case ParityOp.CompareAndSet:
                _cas = (_cas + 1) % ParityData.TransactionWrites;
                return _casVersions[_cas] = CompareAndSet(ParityData.Key(ParityData.CasKeys + _cas), _casVersions[_cas]);
            case ParityOp.Delete:
                return Delete(ParityData.DeleteKey);
            case ParityOp.Transaction:
                return Transaction(_transactionVersions);
            case ParityOp.List:
                return List();
            case ParityOp.Lock:
                return LockRoundTrip();
            default:
                throw new ArgumentOutOfRangeException(nameof(op));
        }
    }

    /// <summary>The current version of a record of the write owner.</summary>
    protected abstract long ReadVersion(int keyIndex);

    /// <summary>Reads one record of <see cref="ParityData.GetOwner"/> and deserializes it.</summary>
    protected abstract long ReadOne(string key);

    /// <summary>An unconditional set of a record of the write owner; returns its new version.</summary>
    protected abstract long WriteOne(string key);

    /// <summary>A set expecting <paramref name="expected"/>; returns the new version, throws on a conflict.</summary>
    protected abstract long CompareAndSet(string key, long expected);

    /// <summary>Sets the record, then deletes it (a delete needs a record to delete).</summary>
    protected abstract long Delete(string key);

    /// <summary>Ten compare-and-sets (keys 20–29) committed together; updates <paramref name="versions"/>.</summary>
    protected abstract long Transaction(long[] versions);

    /// <summary>Lists and deserializes the 500 records of <see cref="ParityData.ListOwner"/>.</summary>
    protected abstract long List();

    /// <summary>Acquires the write owner's key lock, then releases it.</summary>
    protected abstract long LockRoundTrip();

    public abstract ValueTask DisposeAsync();

    /// <summary>Deserializes a listing page read whole, adding its records to the listing's count and sum.</summary>
    protected static void DeserializePage(List<(string Key, long Version, byte[] Value)> page, ref int count, ref long sum)
    {
        foreach (var (key, version, value) in page)
        {
            var note = System.Text.Json.JsonSerializer.Deserialize(value, ParityData.TypeInfo)!;
            count++;
            sum += note.Count + version + key.Length;
        }
    }

    /// <summary>Throws when a listing did not return the owner's records.</summary>
    protected static long CheckListed(int count, long sum) =>
        count == ParityData.RecordsPerOwner ? sum : throw new InvalidOperationException($"Listed {count} records, expected {ParityData.RecordsPerOwner}.");
}
