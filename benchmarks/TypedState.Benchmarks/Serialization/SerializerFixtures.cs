namespace TypedState.Benchmarks.Serialization;

/// <summary>The state types the serializer benchmarks compare, each with its sample value and System.Text.Json contexts.</summary>
public static class SerializerFixtures
{
    /// <summary>A 2.5 KB agent memory: ten members, a list of 20 topics and a dictionary of 10 parts.</summary>
    public static SerializerFixture<ChatMemory> ChatMemory() =>
        new(nameof(ChatMemory), ChatMemorySample.Create(), ChatMemoryMetadataContext.Default.ChatMemory, ChatMemoryFastPathContext.Default.ChatMemory);

    /// <summary>The product's example memory, about 150 bytes: five topics, a count and a date.</summary>
    public static SerializerFixture<TopicMemory> TopicMemory() =>
        new(nameof(TopicMemory), Serialization.TopicMemory.Sample(), TopicMemoryMetadataContext.Default.TopicMemory, TopicMemoryFastPathContext.Default.TopicMemory);

    /// <summary>The fixture of <typeparamref name="T"/>, one of the types above.</summary>
    public static SerializerFixture<T> For<T>()
        where T : class, IStateType<T> =>
        (SerializerFixture<T>)(object)(typeof(T) == typeof(Serialization.ChatMemory) ? ChatMemory() : typeof(T) == typeof(Serialization.TopicMemory) ? TopicMemory() : throw new ArgumentException($"No serializer fixture for {typeof(T).Name}."));
}
