using JasperFx;
using Marten;

namespace TypedState.Benchmarks.Parity;

/// <summary>A record as Marten stores it: the note's fields, its owner (indexed) and Marten's numeric revision.</summary>
public sealed class MartenNote : IRevisioned
{
    public string Id { get; set; } = string.Empty;

    public string Owner { get; set; } = string.Empty;

    public string Title { get; set; } = string.Empty;

    public string Body { get; set; } = string.Empty;

    public int Count { get; set; }

    public List<string> Tags { get; set; } = [];

    public int Version { get; set; }
}

/// <summary>
/// The peer: Marten, the document store a .NET user would pick instead, on the same PostgreSQL (schema
/// <c>marten</c>), with System.Text.Json, an index on the owner and numeric revisions for the conditional writes. A
/// lightweight session per write, a query session per read, as Marten's documentation recommends. Marten has no
/// lease lock, so no lock row.
/// </summary>
public sealed class MartenSide : ParitySide
{
    private readonly DocumentStore _store;
    private readonly string _writeOwner = ParityData.RawOwner(ParityData.WriteOwner);
    private readonly string _getOwner = ParityData.RawOwner(ParityData.GetOwner);
    private readonly string _listOwner = ParityData.RawOwner(ParityData.ListOwner);
    private readonly string[] _transactionIds = new string[ParityData.TransactionWrites];

    public MartenSide(string connectionString)
    {
        _store = DocumentStore.For(options =>
        {
            options.Connection(connectionString);
            options.DatabaseSchemaName = "marten";
            options.AutoCreateSchemaObjects = AutoCreate.All;
            options.UseSystemTextJsonForSerialization();
            options.Schema.For<MartenNote>().Index(x => x.Owner).UseNumericRevisions(true);
        });
        for (var i = 0; i < _transactionIds.Length; i++)
        {
            _transactionIds[i] = Id(_writeOwner, ParityData.Key(ParityData.TransactionKeys + i));
        }
    }

    public override bool Supports(ParityOp op) => op != ParityOp.Lock;

    private static string Id(string owner, string key) => owner + "/" + key;

    private MartenNote Document(string id, string owner) => new()
    {
        Id = id,
        Owner = owner,
        Title = Value.Title,
        Body = Value.Body,
        Count = Value.Count,
        Tags = Value.Tags,
    };

    /// <summary>Writes the data set with Marten's bulk insert.</summary>
    public async Task SeedAsync()
    {
        var documents = new List<MartenNote>(ParityData.Owners * ParityData.RecordsPerOwner);
        for (var o = 0; o < ParityData.Owners; o++)
        {
            for (var i = 0; i < ParityData.RecordsPerOwner; i++)
            {
                var note = ParityData.Create(o, i);
                var owner = ParityData.RawOwner(o);
                documents.Add(new MartenNote { Id = Id(owner, ParityData.Key(i)), Owner = owner, Title = note.Title, Body = note.Body, Count = note.Count, Tags = note.Tags });
            }
        }

        await _store.BulkInsertDocumentsAsync(documents);
    }

    protected override long ReadVersion(int keyIndex)
    {
        using var session = _store.QuerySession();
        return session.LoadAsync<MartenNote>(Id(_writeOwner, ParityData.Key(keyIndex))).GetAwaiter().GetResult()!.Version;
    }

    protected override long ReadOne(string key) => GetAsync(key).GetAwaiter().GetResult();

    private async Task<long> GetAsync(string key)
    {
        await using var session = _store.QuerySession();
        return (await session.LoadAsync<MartenNote>(Id(_getOwner, key)))!.Count;
    }

    protected override long WriteOne(string key) => StoreAsync(key).GetAwaiter().GetResult();

    private async Task<long> StoreAsync(string key)
    {
        await using var session = _store.LightweightSession();
        var document = Document(Id(_writeOwner, key), _writeOwner);
        session.Store(document);
        await session.SaveChangesAsync();
        return document.Version;
    }

    protected override long CompareAndSet(string key, long expected) => CompareAndSetAsync(key, expected).GetAwaiter().GetResult();

    private async Task<long> CompareAndSetAsync(string key, long expected)
    {
        await using var session = _store.LightweightSession();
        var document = Document(Id(_writeOwner, key), _writeOwner);
        session.UpdateRevision(document, (int)expected + 1);
        await session.SaveChangesAsync();
        return expected + 1;
    }

    protected override long Delete(string key) => DeleteAsync(key).GetAwaiter().GetResult();

    private async Task<long> DeleteAsync(string key)
    {
        var id = Id(_writeOwner, key);
        var version = await StoreAsync(key);
        await using var session = _store.LightweightSession();
        session.Delete<MartenNote>(id);
        await session.SaveChangesAsync();
        return version;
    }

    protected override long Transaction(long[] versions) => TransactionAsync(versions).GetAwaiter().GetResult();

    private async Task<long> TransactionAsync(long[] versions)
    {
        await using var session = _store.LightweightSession();
        for (var i = 0; i < versions.Length; i++)
        {
            session.UpdateRevision(Document(_transactionIds[i], _writeOwner), (int)versions[i] + 1);
        }

        await session.SaveChangesAsync();
        for (var i = 0; i < versions.Length; i++)
        {
            versions[i]++;
        }

        return versions[0];
    }

    protected override long List() => ListAsync().GetAwaiter().GetResult();

    private async Task<long> ListAsync()
    {
        await using var session = _store.QuerySession();
        var notes = await session.Query<MartenNote>().Where(x => x.Owner == _listOwner).OrderBy(x => x.Id).ToListAsync();
        var sum = 0L;
        foreach (var note in notes)
        {
            sum += note.Count + note.Version + note.Id.Length;
        }

        return CheckListed(notes.Count, sum);
    }

    protected override long LockRoundTrip() => throw new NotSupportedException("Marten has no lease lock.");

    public override ValueTask DisposeAsync() => _store.DisposeAsync();
}
