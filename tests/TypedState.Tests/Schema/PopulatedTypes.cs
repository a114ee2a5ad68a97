using System.Collections.ObjectModel;
using System.Text.Json.Serialization;

namespace TypedState.Tests.Schema;

/// <summary>Get-only collections with initial contents, marked for System.Text.Json to populate them too.</summary>
[AgentState(Key = "tests/populated")]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1002", Justification = "the member types under test")]
public partial class SeededCollections
{
    public string Name { get; set; } = "";

    [JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
    public List<string> Lines { get; } = ["seed"];

    [JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
    public IDictionary<string, int> Counts { get; } = new Dictionary<string, int> { ["a"] = 1 };

    [JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
    public HashSet<int> Seen { get; } = [7];

    [JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
    public ICollection<Tally> Tallies { get; } = [];
}

/// <summary>A reached struct with a populated dictionary of lists.</summary>
public struct Tally
{
    public Tally()
    {
    }

    public string Label { get; set; } = "";

    [JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
    public Dictionary<string, List<int>> ByName { get; } = [];
}

/// <summary>A get-only list without System.Text.Json's attribute: populated here, left alone by System.Text.Json.</summary>
[AgentState(Key = "tests/populated-unmarked")]
public partial class UnmarkedLines
{
    public List<string> Lines { get; } = [];
}

/// <summary>A get-only collection that the type leaves null: its stored elements have nowhere to go.</summary>
[AgentState(Key = "tests/populated-null")]
public partial class NullLines
{
    public List<string>? Lines { get; }
}

/// <summary>A get-only collection that holds a read-only instance.</summary>
[AgentState(Key = "tests/populated-read-only")]
public partial class ReadOnlyLines
{
    public IList<string> Lines { get; } = new ReadOnlyCollection<string>(["fixed"]);
}
