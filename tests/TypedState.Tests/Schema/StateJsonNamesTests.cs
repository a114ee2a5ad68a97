using System.Text;
using System.Text.Json;
using TypedState.CompilerServices;

namespace TypedState.Tests.Schema;

/// <summary>
/// The generated readers' property-name matching: exact names first (in any order, whichever member was read before),
/// then <c>$version</c>, then names ignoring case; of two members with one name the first is read; a name that is not
/// valid UTF-16 never matches exactly.
/// </summary>
public sealed class StateJsonNamesTests
{
    private static readonly StateJsonNames s_names = new("alpha", "beta", "gamma", "beta", "Gamma", "größe", "\uD800lone");

    [Theory]
    [InlineData("""{"alpha":0}""", new[] { 0 })]
    [InlineData("""{"gamma":0,"alpha":0,"beta":0}""", new[] { 2, 0, 1 })]
    [InlineData("""{"alpha":0,"alpha":0,"gamma":0,"gamma":0}""", new[] { 0, 0, 2, 2 })]
    [InlineData("""{"$version":1,"alpha":0,"beta":0,"gamma":0,"Gamma":0}""", new[] { -2, 0, 1, 2, 4 })]
    [InlineData("""{"BETA":0,"GAMMA":0,"$VERSION":0,"delta":0,"gr\u00f6\u00dfe":0,"GRÖSSE":0}""", new[] { 1, 2, -1, -1, 5, -1 })]
    [InlineData("""{"beta":0,"beta":0,"Gamma":0,"alpha":0}""", new[] { 1, 1, 4, 0 })]
    public void Each_property_name_matches_the_member_the_generated_chain_of_comparisons_matched(string document, int[] expected)
    {
        Assert.Equal(expected, MatchAll(document));
    }

    [Fact]
    public void A_type_without_members_matches_only_its_version()
    {
        var reader = new Utf8JsonReader("""{"$version":1,"a":2}"""u8);
        var names = new StateJsonNames();
        var next = 0;
        reader.Read();
        reader.Read();
        Assert.Equal(-2, names.Match(ref reader, ref next));
        reader.Read();
        reader.Read();
        Assert.Equal(-1, names.Match(ref reader, ref next));
    }

    private static int[] MatchAll(string document)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(document));
        var matched = new List<int>();
        var next = 0;
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            matched.Add(s_names.Match(ref reader, ref next));
            reader.Read();
            reader.Skip();
        }

        return [.. matched];
    }
}
