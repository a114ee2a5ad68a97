using System.Text;
using System.Text.Json;
using TypedState.InMemory;
using TypedState.Storage;

namespace TypedState.Tests.Schema;

/// <summary>
/// Get-only collections are read by adding the stored elements to the instances the type creates, as System.Text.Json
/// does with <c>JsonObjectCreationHandling.Populate</c>: lists and sets append, dictionaries set each key.
/// </summary>
public sealed class PopulatedCollectionTests
{
    private static readonly StateOwner s_owner = StateOwner.Agent("g", "a");

    private static SeededCollections Sample()
    {
        var value = new SeededCollections { Name = "n" };
        value.Lines.Add("one");
        value.Counts["b"] = 2;
        value.Seen.Add(8);
        var tally = new Tally { Label = "t" };
        tally.ByName["x"] = [1, 2];
        value.Tallies.Add(tally);
        return value;
    }

    [Fact]
    public void Populated_collections_round_trip_and_cross_read_with_System_Text_Json_given_its_attribute()
    {
        // Reading appends to the initial contents, as System.Text.Json's Populate does: read back, the seed is there twice.
        var value = Sample();
        var back = SeededCollections.StateSchema.Deserialize(SeededCollections.StateSchema.Serialize(value));
        Assert.Equal(["seed", "seed", "one"], back.Lines);
        var theirs = JsonSerializer.Deserialize<SeededCollections>(JsonSerializer.SerializeToUtf8Bytes(value, RoundTripTests.Reflection), RoundTripTests.Reflection)!;
        Assert.Equal(RoundTripTests.Canonical(theirs), RoundTripTests.Canonical(back));
    }

    [Fact]
    public void Stored_elements_are_added_and_keys_set_as_System_Text_Json_populates_them()
    {
        const string document = """{"counts":{"a":5,"c":3},"lines":["x","y"],"seen":[7,9],"tallies":[{"byName":{"k":[4]},"label":"l"}],"name":"n"}""";
        var ours = SeededCollections.StateSchema.Deserialize(Encoding.UTF8.GetBytes(document));
        var theirs = JsonSerializer.Deserialize<SeededCollections>(document, RoundTripTests.Reflection)!;
        Assert.Equal(RoundTripTests.Canonical(theirs), RoundTripTests.Canonical(ours));
        Assert.Equal(["seed", "x", "y"], ours.Lines);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 5, ["c"] = 3 }, ours.Counts);
        Assert.Equal([7, 9], ours.Seen);
        Assert.Equal([4], Assert.Single(ours.Tallies).ByName["k"]);

        // A member missing from the document keeps what the type put there; nothing is cleared.
        var empty = SeededCollections.StateSchema.Deserialize("{}"u8);
        Assert.Equal(["seed"], empty.Lines);
        Assert.Equal(1, empty.Counts["a"]);
    }

    [Fact]
    public void System_Text_Json_without_its_attribute_leaves_a_get_only_collection_alone_where_the_generated_reader_fills_it()
    {
        const string document = """{"lines":["kept"]}""";
        Assert.Equal(["kept"], UnmarkedLines.StateSchema.Deserialize(Encoding.UTF8.GetBytes(document)).Lines);
        Assert.Empty(JsonSerializer.Deserialize<UnmarkedLines>(document, RoundTripTests.Reflection)!.Lines);
    }

    public static TheoryData<string, string> Unpopulatable => new()
    {
        { "tests/populated-null", """{"lines":["a"]}""" },
        { "tests/populated-read-only", """{"lines":["a"]}""" },
        { "tests/populated", """{"tallies":[{"byName":{"k":[1]}},{"label":"l","byName":7}]}""" },
        { "tests/populated", """{"name":"n","lines":null}""" },
        { "tests/populated", """{"tallies":[{"byName":null}]}""" },
    };

    [Theory]
    [MemberData(nameof(Unpopulatable))]
    public async Task A_collection_that_is_null_read_only_or_of_the_wrong_JSON_type_is_a_StateTypeMismatchException_naming_record_and_path(string key, string document)
    {
        var driver = new InMemoryStateDriver();
        await using var manager = new StateManager(driver);
        var bytes = Encoding.UTF8.GetBytes(document);
        var written = await driver.CommitAsync([new StateWrite(s_owner, key, StateWriteKind.Set, bytes, null)], [], CommitId.None, CancellationToken.None);
        var state = manager.ForAgent("g", "a");

        var ex = key switch
        {
            "tests/populated-null" => await Assert.ThrowsAsync<StateTypeMismatchException>(() => NullLines.LoadAsync(state).AsTask()),
            "tests/populated-read-only" => await Assert.ThrowsAsync<StateTypeMismatchException>(() => ReadOnlyLines.UpdateAsync(state, v => v).AsTask()),
            _ => await Assert.ThrowsAsync<StateTypeMismatchException>(() => SeededCollections.LoadAsync(state).AsTask()),
        };
        Assert.Equal(key, ex.Key);

        // Well-formed JSON that does not fit the type: a mismatch, never reported as corruption.
        Assert.Equal(document.Contains(":7", StringComparison.Ordinal) ? "$.tallies[1].byName" : document.Contains("tallies", StringComparison.Ordinal) ? "$.tallies[0].byName" : "$.lines", ex.JsonPath);
        var inner = Assert.IsAssignableFrom<JsonException>(ex.InnerException);
        if (!document.Contains(":7", StringComparison.Ordinal))
        {
            // A wrong JSON type is a mismatch as anywhere else; null, or a collection with nowhere to put the elements, names its path.
            Assert.Equal(document.Contains("tallies", StringComparison.Ordinal) ? "$.tallies[0].byName" : "$.lines", inner.Path);
            Assert.Contains("get-only collection member", inner.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<SeededCollections>(document, RoundTripTests.Reflection));
        }

        // System.Text.Json refuses a JSON null for a populated member too.
        if (document.Contains("null", StringComparison.Ordinal))
        {
            Assert.ThrowsAny<Exception>(() => JsonSerializer.Deserialize<SeededCollections>(document, RoundTripTests.Reflection));
        }

        // The record is left as it was.
        var raw = await driver.ReadAsync(s_owner, key, default);
        Assert.Equal(bytes, raw!.Value.Value.ToArray());
        Assert.Equal(written.Versions[0], raw.Value.Version);
    }
}
