using TypedState.Storage;

namespace TypedState;

// The records a transaction touched. Their objects are reused by the manager's next transaction once this one ended
// (committed, rolled back or disposed): a transaction of ten writes makes no record objects of its own.
internal sealed partial class StateTransaction
{
    /// <summary>
    /// Gives the records to the manager's next transaction, their values and keys forgotten. Not after a listing
    /// (its enumerator may still hold records), nor after a failed commit (the driver may still hold its batch).
    /// </summary>
    private void ReleaseRecords()
    {
        if (_listed)
        {
            foreach (var pending in _records.Order)
            {
                pending.ForgetValues();
            }

            return;
        }

        _entries = null;
        _records.GiveBack(_manager);
        _records = Records.Ended;
    }

    /// <summary>A transaction's records in the order first touched, and the spare ones of ended transactions.</summary>
    private sealed class Records
    {
        private readonly List<Pending> _spare = [];

        /// <summary>The records of an ended transaction: none, and none may be added.</summary>
        public static Records Ended { get; } = new(ended: true);

        private Records(bool ended = false) => Order = ended ? [] : new List<Pending>(ScannedRecords);

        public List<Pending> Order { get; }

        /// <summary>The manager's spare records, when some wait there, or new ones.</summary>
        public static Records Rent(StateManager manager) =>
            Interlocked.Exchange(ref manager.SpareTransactionRecords, null) as Records ?? new Records();

        /// <summary>A record for (<paramref name="owner"/>, <paramref name="key"/>), added last.</summary>
        public Pending Add(StateOwner owner, string key)
        {
            if (this == Ended)
            {
                throw new InvalidOperationException("The transaction has already ended; start a new one.");
            }

            Pending pending;
            if (_spare.Count > 0)
            {
                pending = _spare[^1];
                _spare.RemoveAt(_spare.Count - 1);
                pending.Reset(owner, key);
            }
            else
            {
                pending = new Pending(owner, key);
            }

            Order.Add(pending);
            return pending;
        }

        /// <summary>Forgets every record and leaves them with the manager for its next transaction.</summary>
        public void GiveBack(StateManager manager)
        {
            foreach (var pending in Order)
            {
                pending.Reset(default, string.Empty);
                _spare.Add(pending);
            }

            Order.Clear();
            Volatile.Write(ref manager.SpareTransactionRecords, this);
        }
    }

    private sealed class Pending(StateOwner owner, string key)
    {
        // Expected and Write as a value and a flag each, not as nullables: a smaller record per write.
        private long _expected;
        private StateWriteKind _write;
        private bool _hasExpected;
        private bool _hasWrite;

        public StateOwner Owner { get; private set; } = owner;

        public string Key { get; private set; } = key;

        public bool HasRead { get; private set; }

        public long ReadVersion { get; private set; }

        public ReadOnlyMemory<byte> ReadBytes { get; private set; }

        public long? Expected
        {
            get => _hasExpected ? _expected : null;
            set => (_hasExpected, _expected) = (value.HasValue, value.GetValueOrDefault());
        }

        public StateWriteKind? Write
        {
            get => _hasWrite ? _write : null;
            set => (_hasWrite, _write) = (value.HasValue, value.GetValueOrDefault());
        }

        public ReadOnlyMemory<byte> WriteBytes { get; set; }

        /// <summary>The committed version this transaction's view of the record builds on.</summary>
        public long BaseVersion => Expected ?? (HasRead ? ReadVersion : 0);

        public void MarkRead(ReadOnlyMemory<byte> bytes, long version)
        {
            HasRead = true;
            ReadBytes = bytes;
            ReadVersion = version;
        }

        /// <summary>The entry of the commit's batch: the write, or a check of the version read.</summary>
        public StateWrite ToWrite() => Write is { } kind
            ? new StateWrite(Owner, Key, kind, WriteBytes, Expected)
            : new StateWrite(Owner, Key, StateWriteKind.Check, ReadOnlyMemory<byte>.Empty, ReadVersion);

        /// <summary>Makes this a new record of (<paramref name="owner"/>, <paramref name="key"/>), touched by nothing yet.</summary>
        public void Reset(StateOwner owner, string key)
        {
            (Owner, Key) = (owner, key);
            (_expected, _write, _hasExpected, _hasWrite) = (0, default, false, false);
            (HasRead, ReadVersion, ReadBytes, WriteBytes) = (false, 0, default, default);
        }

        /// <summary>Drops the bytes read and written, once committed (the versions stay).</summary>
        public void ForgetValues()
        {
            ReadBytes = default;
            WriteBytes = default;
        }
    }
}
