namespace TypedState.Samples.Orleans;

/// <summary>
/// One journal per guild, shared by every agent grain of the guild, whichever silo runs it: agents on different
/// silos write it with the record version as the ETag, and a writer that lost the race re-reads and tries again.
/// </summary>
[GuildState(Version = 1, Key = "journal")]
public partial class GuildJournal
{
    public List<string> Entries { get; set; } = [];
}
