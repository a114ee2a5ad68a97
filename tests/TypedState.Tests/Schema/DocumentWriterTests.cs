using System.Text;
using System.Text.Json;
using TypedState.Tests.Corpus;

namespace TypedState.Tests.Schema;

/// <summary>
/// <see cref="StateSchema{T}.Serialize"/> writes through a writer kept per thread: it must write what the schema's
/// <see cref="StateSchema{T}.TypeInfo"/> writes through <see cref="JsonSerializer"/>, whatever happened on the thread
/// before (a failed write, a large document, a serialization within a serialization).
/// </summary>
public sealed class DocumentWriterTests
{
    [Fact]
    public void Serialize_writes_the_bytes_JsonSerializer_writes_with_the_schemas_serializer()
    {
        AssertSameBytes(CorpusSamples.Chat());
        AssertSameBytes(CorpusSamples.Checkpoint());
        AssertSameBytes(CorpusSamples.ToolRun());
        AssertSameBytes(CorpusSamples.Telemetry());
        AssertSameBytes(CorpusSamples.Guardrails());
    }

    [Fact]
    public void A_null_value_is_written_as_JSON_null_on_both_paths()
    {
        Assert.Equal("null", Encoding.UTF8.GetString(PersonaState.StateSchema.Serialize(null!)));
        Assert.Equal("null", Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(null!, PersonaState.StateSchema.TypeInfo)));
    }

    [Fact]
    public void A_write_that_fails_leaves_nothing_behind_for_the_next_one()
    {
        var broken = CorpusSamples.Telemetry();
        broken.Temperature = Half.NaN;

        // The same exception as through JsonSerializer: the generated writer's own.
        Assert.Throws<ArgumentException>(() => TelemetryState.StateSchema.Serialize(broken));
        Assert.Throws<ArgumentException>(() => JsonSerializer.SerializeToUtf8Bytes(broken, TelemetryState.StateSchema.TypeInfo));

        AssertSameBytes(CorpusSamples.Telemetry());
        AssertSameBytes(CorpusSamples.Checkpoint());
    }

    [Fact]
    public void A_document_larger_than_the_kept_buffer_is_written_whole_and_the_next_one_alone()
    {
        var large = CorpusSamples.Persona();
        large.Alternatives.Add(new Persona { Name = new string('n', 200_000), Tone = "long" });
        var document = PersonaState.StateSchema.Serialize(large);
        Assert.True(document.Length > 200_000);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(large, PersonaState.StateSchema.TypeInfo), document);
        Assert.Equal(200_000, PersonaState.StateSchema.Deserialize(document).Alternatives[^1].Name.Length);

        AssertSameBytes(CorpusSamples.Persona());
    }

    [Fact]
    public void A_serialization_within_a_serialization_writes_both_documents_whole()
    {
        var outer = new SerializeWithin();
        var document = SerializeWithin.StateSchema.Serialize(outer);

        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(outer, SerializeWithin.StateSchema.TypeInfo), document);
        using var json = JsonDocument.Parse(document);
        Assert.Equal("outer", json.RootElement.GetProperty("name").GetString());
        Assert.Equal(7, json.RootElement.GetProperty("after").GetInt32());
        var inner = json.RootElement.GetProperty("inner").GetString()!;
        Assert.Equal(Encoding.UTF8.GetString(PersonaState.StateSchema.Serialize(CorpusSamples.Persona())), inner);
        Assert.Equal(CorpusSamples.Persona().Persona.Name, PersonaState.StateSchema.Deserialize(Encoding.UTF8.GetBytes(inner)).Persona.Name);

        AssertSameBytes(CorpusSamples.Persona());
    }

    [Fact]
    public void Threads_serializing_at_once_each_write_their_own_documents()
    {
        var chat = JsonSerializer.SerializeToUtf8Bytes(CorpusSamples.Chat(), Corpus.ChatMemory.StateSchema.TypeInfo);
        var checkpoint = JsonSerializer.SerializeToUtf8Bytes(CorpusSamples.Checkpoint(), CheckpointState.StateSchema.TypeInfo);
        var mismatches = 0;
        Parallel.For(0, 4_000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var same = i % 2 == 0
                ? Corpus.ChatMemory.StateSchema.Serialize(CorpusSamples.Chat()).AsSpan().SequenceEqual(chat)
                : CheckpointState.StateSchema.Serialize(CorpusSamples.Checkpoint()).AsSpan().SequenceEqual(checkpoint);
            if (!same)
            {
                Interlocked.Increment(ref mismatches);
            }
        });

        Assert.Equal(0, mismatches);
    }

    private static void AssertSameBytes<T>(T value)
        where T : IStateType<T>
    {
        var expected = JsonSerializer.SerializeToUtf8Bytes(value, T.Schema.TypeInfo);
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(T.Schema.Serialize(value)));
    }
}
