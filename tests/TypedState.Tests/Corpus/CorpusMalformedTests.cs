using System.Text;
using System.Text.Json;
using TypedState.Tests.Schema;

namespace TypedState.Tests.Corpus;

/// <summary>
/// Malformed and deeply nested input over every state type of the corpus: each refusal is a <see cref="JsonException"/>
/// (what the store turns into a <c>CorruptStateException</c>), never another exception nor a value read from half a
/// document; System.Text.Json refuses the same documents.
/// </summary>
public sealed class CorpusMalformedTests
{
    /// <summary>Each state type's sample document, and its generated and System.Text.Json readers.</summary>
    private static readonly IReadOnlyDictionary<string, Sample> s_samples = new Dictionary<string, Sample>
    {
        ["chat-memory"] = Sample.Of(CorpusSamples.Chat()),
        ["memory-index"] = Sample.Of(CorpusSamples.Memory()),
        ["persona"] = Sample.Of(CorpusSamples.Persona()),
        ["tool-log"] = Sample.Of(CorpusSamples.Tools()),
        ["tool-run"] = Sample.Of(CorpusSamples.ToolRun()),
        ["rate-limits"] = Sample.Of(CorpusSamples.Limits()),
        ["plan"] = Sample.Of(CorpusSamples.Plan()),
        ["task-board"] = Sample.Of(CorpusSamples.Board()),
        ["checkpoint"] = Sample.Of(CorpusSamples.Checkpoint()),
        ["cost-ledger"] = Sample.Of(CorpusSamples.Ledger()),
        ["workspace"] = Sample.Of(CorpusSamples.Files()),
        ["schedule"] = Sample.Of(CorpusSamples.Schedule()),
        ["tool-results"] = Sample.Of(CorpusSamples.Results()),
        ["bookmarks"] = Sample.Of(CorpusSamples.Bookmarks()),
        ["telemetry"] = Sample.Of(CorpusSamples.Telemetry()),
        ["roster"] = Sample.Of(CorpusSamples.Roster()),
        ["config-snapshot"] = Sample.Of(CorpusSamples.Snapshot()),
        ["model-catalog"] = Sample.Of(CorpusSamples.Catalog()),
        ["eval-run"] = Sample.Of(CorpusSamples.Eval()),
        ["handoffs"] = Sample.Of(CorpusSamples.Handoffs()),
        ["guardrails"] = Sample.Of(CorpusSamples.Guardrails()),
    };

    public static TheoryData<string> Samples => [.. s_samples.Keys];

    [Theory]
    [MemberData(nameof(Samples))]
    public void Every_truncation_of_a_document_is_refused_as_malformed(string sample)
    {
        var document = s_samples[sample].Document;
        for (var length = 0; length < document.Length; length++)
        {
            var cut = document[..length];
            Assert.ThrowsAny<JsonException>(() => s_samples[sample].Read(cut));
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void A_value_of_the_wrong_JSON_type_for_any_member_is_refused(string sample)
    {
        // Each top-level member in turn replaced by a value of another kind than the one stored.
        var (document, read) = (s_samples[sample].Document, s_samples[sample].Read);
        using var parsed = JsonDocument.Parse(document);
        foreach (var property in parsed.RootElement.EnumerateObject().Where(p => p.Name != "$version" && p.Value.ValueKind != JsonValueKind.Null))
        {
            var wrong = property.Value.ValueKind switch
            {
                JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.String => "true",
                _ => "{}",
            };

            // A string-typed member given a number, or a JSON document member, may take any value: left out.
            var changed = Replace(parsed.RootElement, property.Name, wrong);
            if (s_samples[sample].AcceptsAnyValue(property.Name))
            {
                continue;
            }

            Assert.ThrowsAny<JsonException>(() => read(changed));
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Unknown_members_nested_within_the_depth_limit_are_skipped_and_deeper_ones_refused(string sample)
    {
        var (document, read, theirs) = (s_samples[sample].Document, s_samples[sample].Read, s_samples[sample].ReadWithSystemTextJson);
        byte[] WithUnknown(int depth) =>
            [.. "{\"unknown\":"u8, .. Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("[", depth)) + new string(']', depth)), (byte)',', .. document.AsSpan(1)];

        // Within System.Text.Json's default maximum depth (64): skipped, the rest read as before.
        var shallow = WithUnknown(60);
        Assert.Equal(s_samples[sample].Canonical(read(document)), s_samples[sample].Canonical(read(shallow)));

        // Deeper: refused by both, rather than read around.
        var deep = WithUnknown(70);
        Assert.ThrowsAny<JsonException>(() => read(deep));
        Assert.ThrowsAny<JsonException>(() => theirs(deep));
    }

    private static byte[] Replace(JsonElement root, string name, string value)
    {
        var text = new StringBuilder("{");
        foreach (var property in root.EnumerateObject())
        {
            text.Append(text.Length > 1 ? "," : string.Empty).Append(JsonSerializer.Serialize(property.Name)).Append(':')
                .Append(property.Name == name ? value : property.Value.GetRawText());
        }

        return Encoding.UTF8.GetBytes(text.Append('}').ToString());
    }

    private sealed record Sample(byte[] Document, Func<byte[], object?> Read, Func<byte[], object?> ReadWithSystemTextJson, Func<object?, string> Canonical, Func<string, bool> AcceptsAnyValue)
    {
        public static Sample Of<T>(T value)
            where T : IStateType<T> =>
            new(
                T.Schema.Serialize(value),
                bytes => T.Schema.Deserialize(bytes),
                bytes => JsonSerializer.Deserialize<T>(bytes, RoundTripTests.Reflection),
                read => RoundTripTests.Canonical((T)read!),
                name => typeof(T).GetProperties().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) is { } property
                    && (Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType) is var type
                    && (type == typeof(JsonElement) || typeof(System.Text.Json.Nodes.JsonNode).IsAssignableFrom(type)));
    }
}
