using TypedState.InMemory;

namespace TypedState.Analyzers.Tests;

/// <summary>
/// The analyzer restates the store's key rules (it runs inside the compiler, on netstandard2.0, and cannot reference
/// the runtime): these tests hold the two to the same verdicts, so TSTATE2007 fires exactly for what throws.
/// </summary>
public sealed class KeyRulesParityTests
{
    public static TheoryData<string> Values() =>
    [
        "",
        "visits",
        "visits/*",
        "emoji 😀",
        "tab\there",
        "nul\0",
        "del\u007f",
        "lone \uD800 high",
        "lone \uDC00 low",
        "pair \uD83D\uDE00",
        new string('k', 256),
        new string('k', 257),
        new string('k', 512),
        new string('k', 513),
    ];

    [Theory]
    [MemberData(nameof(Values))]
    public void An_id_is_reported_exactly_when_the_owner_refuses_it(string id)
    {
        var refused = Record.Exception(() => StateOwner.Agent("guild", id)) is ArgumentException;
        Assert.Equal(refused, KeyRules.Describe(id, KeyRules.MaxIdLength, allowEmpty: false) is not null);
    }

    [Theory]
    [MemberData(nameof(Values))]
    public async Task A_key_is_reported_exactly_when_the_store_refuses_it(string key)
    {
        await using var manager = new InMemoryStateManager();
        var refused = await Record.ExceptionAsync(async () => await manager.GetAsync<int>(StateOwner.Global, key)) is InvalidStateKeyException;
        Assert.Equal(refused, KeyRules.Describe(key, KeyRules.DefaultMaxKeyLength, allowEmpty: false) is not null);
    }
}
