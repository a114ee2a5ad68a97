using System.Globalization;
using System.Text;

namespace TypedState.Redis;

/// <summary>
/// The Redis key layout of one application (one <see cref="RedisStateDriverOptions.KeyPrefix"/>), storage layout
/// version 3 (<see cref="RedisStorageLayout"/>). Every name starts with a root that is a cluster hash tag: a guild's
/// names, and those of its agents, start with the guild's root <c>{prefix|guild tag}:</c> (<see cref="RootOf(StateOwner)"/>;
/// <c>%</c> and <c>}</c> of the tag written <c>%25</c> and <c>%7D</c>), so a guild and its agents share one slot and
/// guilds spread over a cluster's slots; global state and the store's layout marker live under the store root
/// <c>{prefix}:</c>. Nothing later in a name — ids or keys containing <c>{</c> or <c>}</c> — can change its slot.
/// In the table, <c>{p}</c> stands for the root of the owner's guild (the store root for global state), and the
/// names marked "per root" exist once under every root.
/// <list type="table">
/// <listheader><term>name</term><description>holds</description></listheader>
/// <item><term><c>{p}:r&lt;space&gt;:&lt;owner&gt;:&lt;key&gt;</c></term><description>a record: hash with <c>v</c> (bytes; absent for a tombstone) and <c>n</c> (version)</description></item>
/// <item><term><c>{p}:i&lt;space&gt;:&lt;owner&gt;</c></term><description>sorted set of the owner's live keys, all scores 0 (listing by lexical range)</description></item>
/// <item><term><c>{p}:t&lt;space&gt;:&lt;owner&gt;</c></term><description>set of the owner's tombstoned keys (so removal finds them)</description></item>
/// <item><term><c>{p}:ga&lt;guild space&gt;:&lt;guild owner&gt;</c></term><description>set of the agents of a guild that have records: the agent owner tag, prefixed with <c>&lt;agent space&gt;:</c> once the agent was removed (guild removal cascades)</description></item>
/// <item><term><c>{p}:m:&lt;owner&gt;</c></term><description>an owner's meta, kept once it was removed: <c>s</c> its space id; for a guild also <c>f</c>, the version floor of the guild</description></item>
/// <item><term><c>{p}:o:agent</c>, <c>{p}:o:guild</c></term><description>per root: sorted sets of the root's owners of the scope that hold a live record, all scores 0, as <see cref="OwnerMember"/> (owner listing scans every master for them)</description></item>
/// <item><term><c>{p}:l:&lt;owner&gt;</c></term><description>lock tokens: <c>#</c> the owner's counter, <c>o</c> / <c>k&lt;key&gt;</c> the newest token per resource, <c>w</c> + resource its holder</description></item>
/// <item><term><c>{p}:h:&lt;owner&gt;</c></term><description>held locks: sorted set of resources scored by lease end (server microseconds)</description></item>
/// <item><term><c>{p}:lo</c></term><description>per root: the root's owners that took a lock since their locks were last all expired: sorted set, all scores 0, of the scope's number and <see cref="OwnerMember"/> (lock listing by lexical range)</description></item>
/// <item><term><c>{p}:e</c></term><description>per root, the root marker: <c>epoch</c> (an id, replaced when the server lost the root's data), <c>floor</c> (the epoch's version floor), <c>seq</c> (commits applied), <c>tl</c> (present once a guild timeline of the root was started); the store root's marker also holds <c>layout</c> (storage layout version)</description></item>
/// <item><term><c>{p}:c:&lt;commit id&gt;</c></term><description>an applied commit id (32 hex digits) under the root of the commit's first marker: its versions, comma-separated, expiring after the retention</description></item>
/// <item><term><c>{p}:sid</c>, <c>{p}:gc</c></term><description>per root: the counter of space ids; the queue of removed key spaces still to delete</description></item>
/// <item><term><c>{p}:x:&lt;guild&gt;</c></term><description>a guild's timeline meta: <c>h</c> head, <c>p</c> paused-at (absent while running), <c>pg</c> and <c>fs</c> the source guild id and fork point of a fork, <c>rf</c> retained-from, <c>pc</c> / <c>pt</c> how far a prune has deleted and where it stops</description></item>
/// <item><term><c>{p}:xe:&lt;guild&gt;</c></term><description>its entries: hash of sequence to entry (see <see cref="RedisTimelineEntry"/>); after a prune, only the entries that are still the state of a record at the horizon stay below it</description></item>
/// <item><term><c>{p}:xh:&lt;guild&gt;</c></term><description>its record history: sorted set, all scores 0, of <c>&lt;op&gt;\0&lt;key&gt;\0&lt;sequence, 16 digits&gt;</c> per set or delete, so one lexical range finds a record's latest change at or below a sequence; <c>&lt;op&gt;</c> is <c>g</c> for the guild owner, <c>a&lt;agent id&gt;</c> for an agent</description></item>
/// <item><term><c>{p}:xr:&lt;guild&gt;</c></term><description>its agent removals: sorted set, scores 0, of <c>&lt;op&gt;\0&lt;sequence, 16 digits&gt;</c></description></item>
/// <item><term><c>{p}:xa:&lt;guild&gt;</c></term><description>appended event ids: hash of id to sequence</description></item>
/// <item><term><c>{p}:xf:&lt;guild&gt;</c></term><description>the guild ids forked from it: sorted set, scores 0 (listed in code point order)</description></item>
/// <item><term><c>{p}:xs:&lt;guild&gt;</c>, <c>{p}:xp:&lt;guild&gt;</c></term><description>its snapshots (hash of sequence to document) and pins (sorted set scored by sequence)</description></item>
/// <item><term><c>{p}:xb</c></term><description>per root: forks being built into guilds of the root: hash of space id to <c>&lt;target guild tag&gt;\n&lt;last step, server microseconds&gt;</c></description></item>
/// </list>
/// Every timeline name of a guild is built from the guild's tag alone (<see cref="Timeline"/>, the scripts' <c>tkey</c>
/// and <c>groot</c>).
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
        Prefix = keyPrefix;
        Root = "{" + keyPrefix + "}:";
        Store = Marker(Root);
    }

    /// <summary>The key prefix (<see cref="RedisStateDriverOptions.KeyPrefix"/>).</summary>
    public string Prefix { get; }

    /// <summary><c>{prefix}:</c>, the store root: global state and the store marker.</summary>
    public string Root { get; }

    /// <summary>The store marker: layout version, and the store root's epoch and version floor.</summary>
    public string Store { get; }

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

    /// <summary>The root of the owner's names: its guild's root, or the store root for global state.</summary>
    public string RootOf(StateOwner owner) => owner.Scope == Scope.Global ? Root : GuildRoot(GuildTag(owner.GuildIdOrEmpty));

    /// <summary>
    /// The root of a guild's names, <c>{prefix|guild tag}:</c>: the tag's <c>%</c> and <c>}</c> are escaped, so the
    /// hash tag ends where the root does and two guilds never share a root (the scripts' <c>groot</c>).
    /// </summary>
    public string GuildRoot(string guildTag) =>
        "{" + Prefix + "|" + guildTag.Replace("%", "%25", StringComparison.Ordinal).Replace("}", "%7D", StringComparison.Ordinal) + "}:";

    /// <summary>A root's marker (epoch, version floor, commits applied; for the store root also the layout).</summary>
    public static string Marker(string root) => root + "e";

    /// <summary>The start of every record name of the owner in the first key space; the key follows.</summary>
    public string RecordBase(StateOwner owner) => RootOf(owner) + "r:" + OwnerTag(owner) + ":";

    public string Record(StateOwner owner, string key) => RecordBase(owner) + key;

    public string Index(StateOwner owner) => RootOf(owner) + "i:" + OwnerTag(owner);

    public string Tombstones(StateOwner owner) => RootOf(owner) + "t:" + OwnerTag(owner);

    /// <summary>The set of agent owner tags of <paramref name="guildId"/> that have records.</summary>
    public string GuildAgents(string guildId) => GuildRoot(GuildTag(guildId)) + "ga:" + GuildTag(guildId);

    /// <summary>The set of <paramref name="scope"/>'s owners under <paramref name="root"/> holding a live record.</summary>
    public static string Owners(string root, Scope scope) => scope switch
    {
        Scope.Agent => root + "o:agent",
        Scope.Guild => root + "o:guild",
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "Only agent and guild owners are kept in an owner set."),
    };

    public string LockTokens(StateOwner owner) => RootOf(owner) + "l:" + OwnerTag(owner);

    /// <summary>The set of a root's owners with locks (<see cref="LockOwnerMember"/>), for listing held locks.</summary>
    public static string LockOwners(string root) => root + "lo";

    /// <summary>An owner as a member of <see cref="LockOwners"/>: its scope's number, then <see cref="OwnerMember"/>.</summary>
    public static string LockOwnerMember(StateOwner owner) =>
        ((int)owner.Scope).ToString(CultureInfo.InvariantCulture) + OwnerMember(owner);

    /// <summary>A root's queue of removed key spaces still to delete.</summary>
    public static string RemovalQueue(string root) => root + "gc";

    /// <summary>An owner's meta (space id; for a guild also the version floor).</summary>
    public string Meta(StateOwner owner) => RootOf(owner) + "m:" + OwnerTag(owner);

    public string HeldLocks(StateOwner owner) => RootOf(owner) + "h:" + OwnerTag(owner);

    /// <summary>
    /// A timeline name of <paramref name="guildId"/>: <paramref name="kind"/> is empty for the meta, or <c>e</c>,
    /// <c>h</c>, <c>r</c>, <c>a</c>, <c>f</c>, <c>s</c>, <c>p</c> (see the table above).
    /// </summary>
    public string Timeline(string kind, string guildId) => GuildRoot(GuildTag(guildId)) + "x" + kind + ":" + GuildTag(guildId);

    /// <summary>The lock resource of a key lock, or of the owner lock when <paramref name="key"/> is null.</summary>
    public static string LockResource(string? key) => key is null ? OwnerResource : "k" + key;
}
