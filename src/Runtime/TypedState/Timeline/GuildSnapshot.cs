namespace TypedState.Timeline;

/// <summary>
/// A whole guild (its guild-scope records and every agent's) as it was at a sequence of its timeline: a stored
/// snapshot (<see cref="IGuildTimelines.SnapshotAsync"/>) or a rebuilt state (<see cref="IGuildTimelines.RebuildAsync"/>).
/// </summary>
/// <param name="GuildId">The guild.</param>
/// <param name="Sequence">The sequence whose state it holds.</param>
/// <param name="Owners">Each owner with live records and its records in key order; the guild owner first, then agents by id.</param>
public sealed record GuildSnapshot(string GuildId, long Sequence, IReadOnlyList<SnapshotOwner> Owners)
{
    /// <summary>The schema versions of the typed state the snapshot holds, by key, where the records carry one.</summary>
    public IReadOnlyDictionary<string, int> SchemaVersions =>
        Owners.SelectMany(owner => owner.Records)
            .Where(record => record.SchemaVersion is not null)
            .GroupBy(record => record.Key, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Max(record => record.SchemaVersion!.Value), StringComparer.Ordinal);

    /// <summary>The record of <paramref name="owner"/> under <paramref name="key"/>, or null.</summary>
    public SnapshotRecord? Find(StateOwner owner, string key) =>
        Owners.Where(o => o.Owner == owner).SelectMany(o => o.Records).FirstOrDefault(record => record.Key == key);
}
