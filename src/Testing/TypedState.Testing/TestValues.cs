using System.Text.Json;
using System.Text.Json.Serialization;

namespace TypedState.Testing;

/// <summary>A record with nested collections, as agents typically store.</summary>
internal sealed record Profile(string Name, int Age, List<string> Tags, Dictionary<string, int> Scores, Address? Home);

/// <summary>A nested record.</summary>
internal sealed record Address(string City, string? Street);

/// <summary>A document carrying a schema version the way typed state does.</summary>
internal sealed record VersionedPlan([property: JsonPropertyName("$version")] int Version, string Text);

/// <summary>A domain event appended to a guild's timeline.</summary>
internal sealed record TimelineNote(string Text);

/// <summary>A record with one number, to store and to read with the wrong shape.</summary>
internal sealed record Counter(int Count);

/// <summary>A polymorphic base: stored with a <c>$type</c> discriminator, which System.Text.Json writes first.</summary>
[JsonPolymorphic]
[JsonDerivedType(typeof(Circle), "circle")]
[JsonDerivedType(typeof(Square), "square")]
internal abstract record Shape(string Name);

/// <summary>A <see cref="Shape"/> whose properties sort after <c>$type</c>.</summary>
internal sealed record Circle(string Name, double Radius) : Shape(Name);

/// <summary>A <see cref="Shape"/> whose properties sort around <c>$type</c>.</summary>
internal sealed record Square(string Name, double Side) : Shape(Name);

/// <summary>Source-generated metadata for the JsonTypeInfo overloads.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Profile))]
[JsonSerializable(typeof(Counter))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(List<int>))]
internal sealed partial class TestJsonContext : JsonSerializerContext
{
}

/// <summary>Builders of test values.</summary>
internal static class TestValues
{
    public static Profile SampleProfile() => new(
        "Ada \"the first\" Lovelace — 日本 🙂",
        36,
        ["math", "engines", ""],
        new Dictionary<string, int> { ["analysis"] = 10, ["poetry"] = 7, ["空"] = 0 },
        new Address("London", null));

    public static void AssertSameProfile(Profile expected, Profile? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Age, actual.Age);
        Assert.Equal(expected.Tags, actual.Tags);
        Assert.Equal(expected.Scores.OrderBy(p => p.Key, StringComparer.Ordinal), actual.Scores.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(expected.Home, actual.Home);
    }
}
