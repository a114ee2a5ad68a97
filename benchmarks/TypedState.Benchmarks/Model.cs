using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace TypedState.Benchmarks;

/// <summary>The small record every benchmark stores: a string, an int and a short list.</summary>
public sealed class Profile
{
    public string Name { get; set; } = string.Empty;

    public int Count { get; set; }

    public List<string> Tags { get; set; } = [];
}

/// <summary>Source-generated metadata: both sides of every comparison serialize with the same <see cref="JsonTypeInfo{T}"/>.</summary>
[JsonSerializable(typeof(Profile))]
public sealed partial class BenchJsonContext : JsonSerializerContext
{
}

/// <summary>The value, owner and key used by every benchmark.</summary>
public static class Sample
{
    public const string GuildId = "guild-1";

    public const string AgentId = "agent-1";

    public const string Key = "profile";

    public static StateOwner Owner { get; } = StateOwner.Agent(GuildId, AgentId);

    public static JsonTypeInfo<Profile> TypeInfo => BenchJsonContext.Default.Profile;

    public static Profile Create() => new() { Name = "Ada Lovelace", Count = 42, Tags = ["admin", "beta", "eu-west"] };
}

/// <summary>Both TypedState drivers used here complete synchronously; this is what <c>await</c> costs on such a task.</summary>
public static class ValueTaskResult
{
    public static T Wait<T>(this ValueTask<T> task) =>
        task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();
}
