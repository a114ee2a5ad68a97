using TypedState.InMemory;

namespace TypedState.Tests.Schema;

/// <summary>How stateful values look by default</summary>
public enum DefaultMood
{
    Calm,
    Busy,
    Cheerful,
}

/// <summary>
/// A positional record whose parameters have defaults of every kind of constant C# allows: what an absent record and
/// a document without those members give.
/// </summary>
[GlobalState(Key = "defaults")]
public partial record DefaultedSettings(
    string Greeting = "Hello, \"world\"\n",
    int Max = 10,
    long Big = -5_000_000_000L,
    ulong Huge = 18_000_000_000_000_000_000UL,
    double Ratio = 0.25,
    float Scale = 1.5f,
    decimal Price = 19.99m,
    char Mark = '\'',
    bool Enabled = true,
    DefaultMood Mood = DefaultMood.Cheerful,
    DefaultMood? MaybeMood = DefaultMood.Busy,
    int? Limit = 7,
    string? Note = null,
    int Plain = default)
{
    /// <summary>A member outside the primary constructor, with an initializer.</summary>
    public int Extra { get; init; } = 42;
}

/// <summary>A state part with a defaulted primary-constructor parameter.</summary>
[StatePart]
public partial record DefaultedPart(string Language = "en", bool Brief = true);

/// <summary>Holds the part.</summary>
[GuildState(Key = "defaulted-holder")]
public partial class DefaultedHolder
{
    public DefaultedPart Prefs { get; set; } = new();
}

/// <summary>Primary-constructor defaults are what an absent record and an absent member give.</summary>
public sealed class ConstructorDefaultTests
{
    [Fact]
    public async Task An_absent_record_loads_with_the_defaults_of_the_constructor_parameters()
    {
        await using var manager = new StateManager(new InMemoryStateDriver());
        var loaded = await DefaultedSettings.LoadAsync(manager);

        Assert.False(loaded.Exists);
        Assert.Equal(new DefaultedSettings(), loaded.Value);
        Assert.Equal("Hello, \"world\"\n", loaded.Value.Greeting);
        Assert.Equal(18_000_000_000_000_000_000UL, loaded.Value.Huge);
        Assert.Equal(19.99m, loaded.Value.Price);
        Assert.Equal(DefaultMood.Busy, loaded.Value.MaybeMood);
        Assert.Equal(42, loaded.Value.Extra);
    }

    [Fact]
    public void A_document_without_some_members_keeps_the_parameter_defaults_for_them()
    {
        var read = DefaultedSettings.StateSchema.Deserialize("{\"max\":3,\"note\":\"n\",\"mood\":0}"u8);

        Assert.Equal(new DefaultedSettings(Max: 3, Note: "n", Mood: DefaultMood.Calm), read);
        Assert.Equal(0.25, read.Ratio);
        Assert.Equal('\'', read.Mark);
    }

    [Fact]
    public void A_document_with_a_member_set_to_null_keeps_that_null()
    {
        var read = DefaultedSettings.StateSchema.Deserialize("{\"limit\":null,\"maybeMood\":null}"u8);

        Assert.Null(read.Limit);
        Assert.Null(read.MaybeMood);
        Assert.Equal(10, read.Max);
    }

    [Fact]
    public void A_part_read_from_an_empty_object_keeps_its_parameter_defaults()
    {
        var read = DefaultedHolder.StateSchema.Deserialize("{\"prefs\":{}}"u8);

        Assert.Equal(new DefaultedPart(), read.Prefs);
    }
}
