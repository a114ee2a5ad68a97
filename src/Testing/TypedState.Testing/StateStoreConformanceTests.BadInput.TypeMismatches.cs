using System.Text;
using System.Text.Json;

namespace TypedState.Testing;

public abstract partial class StateStoreConformanceTests
{
    /// <summary>Well-formed JSON that does not fit <see cref="Counter"/>, with the path the error names.</summary>
    public static TheoryData<string, string, string> TypeMismatchPayloads => new()
    {
        { "a string where a record is expected", "\"text\"", "$" },
        { "an array where a record is expected", "[1,2,3]", "$" },
        { "a string where a number is expected", "{\"count\":\"seven\"}", "$.count" },
        { "a number too large for int", "{\"count\":1e400}", "$.count" },
        { "a fraction where an int is expected", "{\"count\":1.5}", "$.count" },
    };

    [Theory]
    [MemberData(nameof(TypeMismatchPayloads))]
    public async Task JSON_of_another_shape_is_a_type_mismatch_naming_the_path_not_a_corrupt_record(string what, string payload, string path)
    {
        var state = await CreateManagerAsync();
        var owner = StateOwner.Agent("guild-m", "agent-m");
        await state.SetAsync(owner, "a", new Counter(1));
        var version = await WriteRawAsync(state.Driver, owner, "other", Encoding.UTF8.GetBytes(payload));

        var ex = await Assert.ThrowsAsync<StateTypeMismatchException>(() => state.GetAsync<Counter>(owner, "other").AsTask());
        var typed = await Assert.ThrowsAsync<StateTypeMismatchException>(() => state.GetAsync(owner, "other", TestJsonContext.Default.Counter).AsTask());

        Assert.Equal(version, ex.Version);
        Assert.Equal(typeof(Counter), ex.TargetType);
        Assert.True(path == ex.JsonPath, $"{what}: {ex.JsonPath}");
        Assert.Equal(path, typed.JsonPath);
        Assert.IsAssignableFrom<JsonException>(ex.InnerException);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(Counter), ex.Message, StringComparison.Ordinal);
        AssertNamesRecord(ex, owner, "other");
        Assert.Equal(new Counter(1), (await state.GetAsync<Counter>(owner, "a")).Value);

        // Nothing is corrupt: the record reads back as the JSON it is.
        StoredDocuments.AssertSame(Encoding.UTF8.GetBytes(payload), (await state.GetJsonAsync(owner, "other")).Value);
        var listed = await ListAllAsync<Counter>(state, owner, string.Empty);
        Assert.Null(listed[0].Error);
        var error = Assert.IsType<StateTypeMismatchException>(listed[1].Error);
        Assert.Equal(path, error.JsonPath);
    }

    [Fact]
    public async Task A_scalar_of_another_JSON_type_is_a_type_mismatch()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "word", "seven");
        await state.SetAsync(Agent1, "nothing", (string?)null);
        await state.SetAsync(Agent1, "number", 7);

        var asInt = await Assert.ThrowsAsync<StateTypeMismatchException>(() => state.GetAsync<int>(Agent1, "word").AsTask());
        var nullAsInt = await Assert.ThrowsAsync<StateTypeMismatchException>(() => state.GetAsync<int>(Agent1, "nothing").AsTask());
        var numberAsString = await Assert.ThrowsAsync<StateTypeMismatchException>(() => state.GetAsync<string>(Agent1, "number").AsTask());

        Assert.Equal(typeof(int), asInt.TargetType);
        Assert.Equal(1, asInt.Version);
        Assert.Equal("$", asInt.JsonPath);
        AssertNamesRecord(asInt, Agent1, "word");
        AssertNamesRecord(nullAsInt, Agent1, "nothing");
        Assert.Equal(typeof(string), numberAsString.TargetType);
        AssertNamesRecord(numberAsString, Agent1, "number");
        Assert.Equal("seven", (await state.GetAsync<string>(Agent1, "word")).Value);
        Assert.Equal(7, (await state.GetAsync<int>(Agent1, "number")).Value);
    }

    [Fact]
    public async Task A_type_mismatch_is_reported_inside_transactions_and_by_UpdateAsync_without_a_write()
    {
        var state = await CreateManagerAsync();
        await state.SetAsync(Agent1, "number", 7);

        await Assert.ThrowsAsync<StateTypeMismatchException>(() => state.UpdateAsync<string>(Agent1, "number", v => v + "!").AsTask());
        await using (var tx = await state.BeginTransactionAsync())
        {
            var ex = await Assert.ThrowsAsync<StateTypeMismatchException>(() => tx.GetAsync<string>(Agent1, "number").AsTask());
            Assert.Equal(1, ex.Version);
            var listed = await ListAllAsync<string>(tx, Agent1, string.Empty);
            Assert.IsType<StateTypeMismatchException>(listed[0].Error);
        }

        await AssertRecordAsync(state, Agent1, "number", 7, 1);
    }
}
