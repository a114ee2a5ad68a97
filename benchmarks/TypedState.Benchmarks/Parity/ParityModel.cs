using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace TypedState.Benchmarks.Parity;

/// <summary>The record of the raw-client comparison: about 200 bytes of JSON.</summary>
public sealed class Note
{
    public string Title { get; set; } = string.Empty;

    public string Body { get; set; } = string.Empty;

    public int Count { get; set; }

    public List<string> Tags { get; set; } = [];
}

/// <summary>Source-generated metadata: every side deserializes with the same <see cref="JsonTypeInfo{T}"/>.</summary>
[JsonSerializable(typeof(Note))]
public sealed partial class ParityJsonContext : JsonSerializerContext
{
}

/// <summary>The data set (50,000 records over 100 owners), the keys each operation uses, and the owners' names.</summary>
public static class ParityData
{
    public const int Owners = 100;

    public const int RecordsPerOwner = 500;

    /// <summary>Writes go to this owner's keys; reads and listings to others, whose records never change.</summary>
    public const int WriteOwner = 1;

    public const int GetOwner = 2;

    public const int ListOwner = 3;

    /// <summary>Keys 0–9 take the plain sets, 10–19 the compare-and-sets, 20–29 the transactions.</summary>
    public const int SetKeys = 0;

    public const int CasKeys = 10;

    public const int TransactionKeys = 20;

    public const int TransactionWrites = 10;

    public const string DeleteKey = "deleted";

    public const string LockKey = "lock";

    /// <summary>The lease of every side's lock.</summary>
    public static readonly TimeSpan LockLease = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Who holds the locks of the sides that send the driver's statements: the manager's default holder (machine name
    /// and process id, as StateManagerOptions makes it), so that they send what TypedState sends.
    /// </summary>
    public static readonly string LockHolder = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}");

    public static JsonTypeInfo<Note> TypeInfo => ParityJsonContext.Default.Note;

    private static readonly string[] s_keys = [.. Enumerable.Range(0, RecordsPerOwner).Select(i => "note-" + i.ToString("D3", CultureInfo.InvariantCulture))];

    public static string Key(int i) => s_keys[i];

    public static StateOwner Owner(int o) => StateOwner.Agent(GuildId(o), AgentId(o));

    public static string GuildId(int o) => "guild-" + (o / 10).ToString(CultureInfo.InvariantCulture);

    public static string AgentId(int o) => "agent-" + o.ToString(CultureInfo.InvariantCulture);

    /// <summary>The raw clients' owner column / key part.</summary>
    public static string RawOwner(int o) => GuildId(o) + "/" + AgentId(o);

    public static Note Create(int owner, int i) => new()
    {
        Title = string.Create(CultureInfo.InvariantCulture, $"Note {i:D3} of owner {owner:D3}"),
        Body = "The agent noted the customer's preferences, the open ticket and the next step to take before Friday's call.",
        Count = i,
        Tags = ["crm", "follow-up", "eu-west"],
    };

    public static byte[] Serialize(Note note) => JsonSerializer.SerializeToUtf8Bytes(note, TypeInfo);
}
