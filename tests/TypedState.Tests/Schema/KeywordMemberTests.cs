namespace TypedState.Tests.Schema;

#pragma warning disable CA1716 // the point: members named like C# keywords
#pragma warning disable SA1300, IDE1006 // lower-case member names are the keywords themselves

/// <summary>A state type whose members are C# keywords, declared with <c>@</c>.</summary>
[AgentState(Key = "keywords")]
public partial class KeywordMembers
{
    public int @class { get; set; }

    public string @event { get; set; } = string.Empty;

    public KeywordPart @fixed { get; set; } = new(0);
}

/// <summary>A positional record with a keyword parameter.</summary>
[StatePart]
public partial record KeywordPart(int @checked);

#pragma warning restore SA1300, IDE1006
#pragma warning restore CA1716

/// <summary>Members named like C# keywords are stored under those names and read back.</summary>
public sealed class KeywordMemberTests
{
    [Fact]
    public void Keyword_members_round_trip_under_their_plain_names()
    {
        var value = new KeywordMembers { @class = 3, @event = "launch", @fixed = new KeywordPart(7) };

        var document = KeywordMembers.StateSchema.Serialize(value);
        Assert.Equal("{\"$version\":1,\"class\":3,\"event\":\"launch\",\"fixed\":{\"checked\":7}}", System.Text.Encoding.UTF8.GetString(document));

        var read = KeywordMembers.StateSchema.Deserialize(document);
        Assert.Equal(3, read.@class);
        Assert.Equal("launch", read.@event);
        Assert.Equal(new KeywordPart(7), read.@fixed);
    }
}
