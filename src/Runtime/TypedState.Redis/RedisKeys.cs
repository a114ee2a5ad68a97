using System.Globalization;
using System.Text;

namespace TypedState.Redis;

/// <summary>
/// The Redis key layout of one application (one <see cref="RedisStateDriverOptions.KeyPrefix"/>), storage layout
/// version 2 (<see cref="RedisStorageLayout"/>). Every name starts with the prefix as a hash tag, <c>{prefix}:</c>, so
/// all keys of an application share one cluster slot (a batch may span owners, and scripts may build names) and
/// nothing later in the name — ids or keys containing <c>{</c> or <c>}</c> — can change it.
/// <list type="table">
/// <listheader><term>name</term><description>holds</description></listheader>
/// <item><term><c>{p}:r&lt;space&gt;:&lt;owner&gt;:&lt;key&gt;</c></term><description>a record: hash with <c>v</c> (bytes; absent for a tombstone) and <c>n</c> (version)</description></item>
/// <item><term><c>{p}:i&lt;space&gt;:&lt;owner&gt;</c></term><description>sorted set of the owner's live keys, all scores 0 (listing by lexical range)</description></item>
/// <item><term><c>{p}:t&lt;space&gt;:&lt;owner&gt;</c></term><description>set of the owner's tombstoned keys (so removal finds them)</description></item>
/// <item><term><c>{p}:ga&lt;guild space&gt;:&lt;guild owner&gt;</c></term><description>set of the agents of a guild that have records: the agent owner tag, prefixed with <c>&lt;agent space&gt;:</c> once the agent was removed (guild removal cascades)</description></item>
/// <item><term><c>{p}:m:&lt;owner&gt;</c></term><description>an owner's meta, kept once it was removed: <c>s</c> its space id; for a guild also <c>f</c>, the version floor of the guild</description></item>
/// <item><term><c>{p}:o:agent</c>, <c>{p}:o:guild</c></term><description>sorted sets of the scope's owners that hold a live record, all scores 0, as <see cref="OwnerMember"/> (owner listing by lexical range)</description></item>
/// <item><term><c>{p}:l:&lt;owner&gt;</c></term><description>lock tokens: <c>#</c> the owner's counter, <c>o</c> / <c>k&lt;key&gt;</c> the newest token per resource, <c>w</c> + resource its holder</description></item>
/// <item><term><c>{p}:h:&lt;owner&gt;</c></term><description>held locks: sorted set of resources scored by lease end (server microseconds)</description></item>
/// <item><term><c>{p}:lo</c></term><description>owners that took a lock since their locks were last all expired: sorted set, all scores 0, of the scope's number and <see cref="OwnerMember"/> (lock listing by lexical range)</description></item>
/// <item><term><c>{p}:e</c></term><description>the store marker: <c>layout</c> (storage layout version), <c>epoch</c> (an id, replaced when the server lost the data), <c>floor</c> (the epoch's version floor), <c>seq</c> (commits applied), <c>tl</c> (present once a guild timeline was started)</description></item>
/// <item><term><c>{p}:c:&lt;commit id&gt;</c></term><description>an applied commit id (32 hex digits): its versions, comma-separated, expiring after the retention</description></item>
/// <item><term><c>{p}:sid</c>, <c>{p}:gc</c></term><description>the counter of space ids; the queue of removed key spaces still to delete</description></item>
/// <item><term><c>{p}:x:&lt;guild&gt;</c></term><description>a guild's timeline meta: <c>h</c> head, <c>p</c> paused-at (absent while running), <c>pg</c> and <c>fs</c> the source guild id and fork point of a fork, <c>rf</c> retained-from, <c>pc</c> / <c>pt</c> how far a prune has deleted and where it stops</description></item>
/// <item><term><c>{p}:xe:&lt;guild&gt;</c></term><description>its entries: hash of sequence to entry (see <see cref="RedisTimelineEntry"/>); after a prune, only the entries that are still the state of a record at the horizon stay below it</description></item>
/// <item><term><c>{p}:xh:&lt;guild&gt;</c></term><description>its record history: sorted set, all scores 0, of <c>&lt;op&gt;\0&lt;key&gt;\0&lt;sequence, 16 digits&gt;</c> per set or delete, so one lexical range finds a record's latest change at or below a sequence; <c>&lt;op&gt;</c> is <c>g</c> for the guild owner, <c>a&lt;agent id&gt;</c> for an agent</description></item>
/// <item><term><c>{p}:xr:&lt;guild&gt;</c></term><description>its agent removals: sorted set, scores 0, of <c>&lt;op&gt;\0&lt;sequence, 16 digits&gt;</c></description></item>
/// <item><term><c>{p}:xa:&lt;guild&gt;</c></term><description>appended event ids: hash of id to sequence</description></item>
/// <item><term><c>{p}:xf:&lt;guild&gt;</c></term><description>the guild ids forked from it: sorted set, scores 0 (listed in code point order)</description></item>
/// <item><term><c>{p}:xs:&lt;guild&gt;</c>, <c>{p}:xp:&lt;guild&gt;</c></term><description>its snapshots (hash of sequence to document) and pins (sorted set scored by sequence)</description></item>
/// <item><term><c>{p}:xb</c></term><description>forks being built: hash of space id to <c>&lt;target guild tag&gt;\n&lt;last step, server microseconds&gt;</c></description></item>
/// </list>
/// Every timeline name of a guild is built from the guild's tag alone (<see cref="Timeline"/>, the scripts' <c>tkey</c>),
/// so a later layout giving each guild its own hash tag changes one function on each side.
/// An owner is written so that it delimits itself whatever its ids contain: <c>global</c>,
/// <c>guild:&lt;n&gt;:&lt;guild&gt;</c> or <c>agent:&lt;n&gt;:&lt;guild&gt;:&lt;m&gt;:&lt;agent&gt;</c>, where n and m are the
/// UTF-8 byte lengths of the ids. <c>&lt;space&gt;</c> is empty until the owner (or its guild) is first removed, so
/// the names of owners never removed are those of layout version 1; after a removal it is the guild's space id, and
/// for an agent <c>&lt;guild space&gt;.&lt;agent space&gt;</c>. The scripts rebuild names from the same pieces (see
/// <see cref="RedisScripts"/>).
/// </summary>
internal sealed class RedisKeys
{
    /// <summary>The field of a record hash holding the value bytes.</summary>
    public const string ValueField = "v";

    /// <summary>The field of a record hash holding the version.</summary>
    public const string VersionField = "n";

    /// <summary>The resource name of a whole-owner lock (key locks are <c>k</c> + key, so never equal).</summary>
    public const string OwnerResource = "o";

    public RedisKeys(string keyPrefix)
    {
        Root = "{" + keyPrefix + "}:";
        Store = Root + "e";
        LockOwners = Root + "lo";
        RemovalQueue = Root + "gc";
    }

    /// <summary><c>{prefix}:</c>, the start of every name.</summary>
    public string Root { get; }

    public static string OwnerTag(StateOwner owner) => owner.Scope switch
    {
        Scope.Global => "global",
        Scope.Guild => GuildTag(owner.GuildIdOrEmpty),
        Scope.Agent => string.Create(
            CultureInfo.InvariantCulture,
            $"agent:{Encoding.UTF8.GetByteCount(owner.GuildIdOrEmpty)}:{owner.GuildIdOrEmpty}:{Encoding.UTF8.GetByteCount(owner.AgentIdOrEmpty)}:{owner.AgentIdOrEmpty}"),
        _ => throw new ArgumentException("The owner is not valid (use StateOwner.Agent, Guild or Global).", nameof(owner)),
    };

    public static string GuildTag(string guildId) =>
        string.Create(CultureInfo.InvariantCulture, $"guild:{Encoding.UTF8.GetByteCount(guildId)}:{guildId}");

    /// <summary>
    /// An owner as a member of its scope's owner set: the guild id, and for an agent the guild id, a NUL byte and
    /// the agent id; empty for global state, which has no owner set. Ids hold no control characters, so NUL ends
    /// the guild id and sorts below every byte that can follow it: the members' byte order is (guild, agent) in
    /// code point order, with guild "a" before "a b" whatever their agents.
    /// </summary>
    public static string OwnerMember(StateOwner owner) => owner.Scope switch
    {
        Scope.Global => string.Empty,
        Scope.Guild => owner.GuildIdOrEmpty,
        Scope.Agent => owner.GuildIdOrEmpty + "\0" + owner.AgentIdOrEmpty,
        _ => throw new ArgumentException("The owner is not valid (use StateOwner.Agent, Guild or Global).", nameof(owner)),
    };

    /// <summary>The start of every record name of the owner in the first key space; the key follows.</summary>
    public string RecordBase(string ownerTag) => Root + "r:" + ownerTag + ":";

    public string Record(string ownerTag, string key) => RecordBase(ownerTag) + key;

    public string Index(string ownerTag) => Root + "i:" + ownerTag;

    public string Tombstones(string ownerTag) => Root + "t:" + ownerTag;

    /// <summary>The set of agent owner tags of <paramref name="guildId"/> that have records.</summary>
    public string GuildAgents(string guildId) => Root + "ga:" + GuildTag(guildId);

    /// <summary>The set of <paramref name="scope"/>'s owners holding a live record (agent or guild scope).</summary>
    public string Owners(Scope scope) => scope switch
    {
        Scope.Agent => Root + "o:agent",
        Scope.Guild => Root + "o:guild",
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "Only agent and guild owners are kept in an owner set."),
    };

    public string LockTokens(string ownerTag) => Root + "l:" + ownerTag;

    /// <summary>The set of owners with locks (<see cref="LockOwnerMember"/>), for listing held locks.</summary>
    public string LockOwners { get; }

    /// <summary>An owner as a member of <see cref="LockOwners"/>: its scope's number, then <see cref="OwnerMember"/>.</summary>
    public static string LockOwnerMember(StateOwner owner) =>
        ((int)owner.Scope).ToString(CultureInfo.InvariantCulture) + OwnerMember(owner);

    /// <summary>The store marker: layout version, epoch and its version floor.</summary>
    public string Store { get; }

    /// <summary>The queue of removed key spaces still to delete.</summary>
    public string RemovalQueue { get; }

    /// <summary>An owner's meta (space id; for a guild also the version floor).</summary>
    public string Meta(string ownerTag) => Root + "m:" + ownerTag;

    public string HeldLocks(string ownerTag) => Root + "h:" + ownerTag;

    /// <summary>
    /// A timeline name of <paramref name="guildId"/>: <paramref name="kind"/> is empty for the meta, or <c>e</c>,
    /// <c>h</c>, <c>r</c>, <c>a</c>, <c>f</c>, <c>s</c>, <c>p</c> (see the table above).
    /// </summary>
    public string Timeline(string kind, string guildId) => Root + "x" + kind + ":" + GuildTag(guildId);

    /// <summary>The lock resource of a key lock, or of the owner lock when <paramref name="key"/> is null.</summary>
    public static string LockResource(string? key) => key is null ? OwnerResource : "k" + key;
}
