namespace TypedState;

/// <summary>
/// What <see cref="AgentStateAttribute"/>, <see cref="GuildStateAttribute"/> and <see cref="GlobalStateAttribute"/>
/// share: the schema version and the record key of a generated state type.
/// </summary>
public abstract class StateTypeAttribute : Attribute
{
    private protected StateTypeAttribute()
    {
    }

    /// <summary>
    /// The schema version of the type, at least 1. Raising it to N requires a static migration step
    /// <c>MigrateV{n}ToV{n+1}(JsonObject state)</c> for every n from 1 to N-1 (a missing step is a compile error).
    /// </summary>
    public int Version { get; set; } = 1;

    /// <summary>The record key the type is stored under; the type's name when not set. Unique in a compilation.</summary>
    public string? Key { get; set; }

    /// <summary>
    /// A <c>JsonSerializerContext</c> that serializes member types the generator does not handle itself; each such
    /// type must be listed on the context with <c>[JsonSerializable]</c>, otherwise it is a compile error.
    /// </summary>
    public Type? SerializerContext { get; set; }
}
