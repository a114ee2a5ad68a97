namespace TypedState.Redis;

/// <summary>
/// The Redis driver's storage layout version: the shape of its keys (<see cref="RedisKeys"/>), kept in the store
/// marker <c>{p}:e</c> (field <c>layout</c>) and raised in place by the first driver that connects.
/// <list type="bullet">
/// <item>1: records, indexes, tombstone sets, agent sets and owner sets under fixed names; no store marker.</item>
/// <item>2: the store marker (layout, epoch, version floor); owner key spaces, drawn anew by each removal, in the
/// names of records, indexes, tombstone and agent sets (empty for owners never removed, so a layout 1 store's names
/// are already those of its owners' first key space); owner metas with the space id and the guild's version floor;
/// remembered commit ids; the queue of removed key spaces. The upgrade from 1 writes the marker and nothing else.</item>
/// <item>3: a root per guild: the names of a guild and its agents (records, indexes, owner and lock sets, locks,
/// metas, timelines, space ids, the removal queue, applied commit ids, and a root marker with the root's epoch) start
/// with the guild's hash tag <c>{p|guild tag}:</c>, so a guild lives in one slot of a Redis Cluster and guilds spread
/// over its masters; global state stays under <c>{p}:</c>. The upgrade from 1 or 2 (<see cref="RedisLayoutUpgrade"/>)
/// moves each guild's names under its root, then raises the marker's layout.</item>
/// </list>
/// A marker with a newer layout is refused before anything changes. Stop drivers of an older layout before upgrading:
/// they would keep writing under the old names.
/// </summary>
internal static class RedisStorageLayout
{
    /// <summary>The layout version this driver reads and writes.</summary>
    public const int Version = 3;
}
