using System.Globalization;
using System.Text;

namespace TypedState.Benchmarks.Generator;

/// <summary>
/// The source files of the generator-cost compilation, one type per file: state types of the three scopes in ten
/// namespaces, eight members each drawn in turn from fifteen kinds (strings, numbers, a nullable date, lists,
/// dictionaries, an array, an enum, a Guid, a part, a list and a dictionary of parts); every tenth type at Version 3 with
/// its two migration steps; every seventh a record with init-only members; state parts of four members; plain classes
/// that the generator has no business with. For the comparison with System.Text.Json's generator, one more file
/// (<see cref="JsonContextFile"/>) registers the same types in a <c>JsonSerializerContext</c>.
/// </summary>
internal sealed class Corpus
{
    private static readonly string[] s_scopes = ["AgentState", "GuildState", "GlobalState"];

    private readonly List<(string Path, string Text)> _files = [];

    private readonly bool _reached;

    /// <param name="stateTypes">How many state types.</param>
    /// <param name="reached">Parts without <c>[StatePart]</c>: the state types reach them from their members.</param>
    public Corpus(int stateTypes, bool reached = false)
    {
        _reached = reached;
        StateTypes = stateTypes;
        Parts = Math.Max(1, stateTypes / 10);
        PlainClasses = Parts;
        _files.Add(("Common/Mood.cs", "namespace GeneratorCost.Common;\n\npublic enum Mood\n{\n    Calm,\n    Busy,\n    Tired,\n}\n"));
        for (var j = 0; j < Parts; j++)
        {
            _files.Add(($"Parts/Part{j}.cs", PartText(j)));
        }

        for (var i = 0; i < StateTypes; i++)
        {
            _files.Add((StatePath(i), StateText(i, revision: null)));
            if (IsVersioned(i))
            {
                Versioned++;
            }
        }

        for (var k = 0; k < PlainClasses; k++)
        {
            _files.Add((PlainPath(k), PlainText(k, revision: null)));
        }
    }

    public int StateTypes { get; }

    public int Parts { get; }

    public int PlainClasses { get; }

    public int Versioned { get; }

    public IReadOnlyList<(string Path, string Text)> Files => _files;

    public (string Path, string Text) StateTypeFile(int i) => (StatePath(i), StateText(i, null));

    public (string Path, string Text) PlainClassFile(int k) => (PlainPath(k), PlainText(k, null));

    /// <summary>The state type with one more member, whose name alternates with <paramref name="revision"/>: its model changes every time.</summary>
    public string EditStateType(int i, int revision) => StateText(i, revision);

    /// <summary>The plain class with another method body.</summary>
    public string EditPlainClass(int k, int revision) => PlainText(k, revision);

    /// <summary>
    /// What a user would write to have System.Text.Json generate the serialization of the same types instead: one
    /// <c>JsonSerializerContext</c> with the web defaults and a <c>[JsonSerializable]</c> per state type and part.
    /// </summary>
    public (string Path, string Text) JsonContextFile()
    {
        var text = new StringBuilder();
        text.Append("using System.Text.Json;\nusing System.Text.Json.Serialization;\n\nnamespace GeneratorCost;\n\n");
        text.Append("/// <summary>System.Text.Json's generated serialization of every state type and part.</summary>\n");
        text.Append("[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]\n");
        for (var i = 0; i < StateTypes; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"[JsonSerializable(typeof(GeneratorCost.Area{i % 10}.State{i}))]\n");
        }

        for (var j = 0; j < Parts; j++)
        {
            text.Append(CultureInfo.InvariantCulture, $"[JsonSerializable(typeof(GeneratorCost.Parts.Part{j}))]\n");
        }

        text.Append("internal sealed partial class CorpusJsonContext : JsonSerializerContext;\n");
        return ("Json/CorpusJsonContext.cs", text.ToString());
    }

    private static bool IsVersioned(int i) => i % 10 == 0;

    private static string StatePath(int i) => $"Area{i % 10}/State{i}.cs";

    private static string PlainPath(int k) => $"Services/Service{k}.cs";

    private string PartText(int j)
    {
        var attribute = _reached ? string.Empty : "[StatePart]\n";
        var declaration = j % 2 == 0 ? "record" : "class";
        var accessor = j % 2 == 0 ? "init" : "set";
        return $$"""
            using System.Collections.Generic;
            using TypedState;

            namespace GeneratorCost.Parts;

            {{attribute}}public partial {{declaration}} Part{{j}}
            {
                public string Text { get; {{accessor}}; } = "";

                public double Weight { get; {{accessor}}; }

                public int Rank { get; {{accessor}}; }

                public List<string> Notes { get; {{accessor}}; } = [];
            }

            """;
    }

    private string StateText(int i, int? revision)
    {
        var part = $"Part{i % Parts}";
        var accessor = i % 7 == 3 ? "init" : "set";
        string[] kinds =
        [
            $"public string Name {{ get; {accessor}; }} = \"\";",
            $"public int Count {{ get; {accessor}; }}",
            $"public DateTimeOffset? UpdatedAt {{ get; {accessor}; }}",
            $"public List<string> Tags {{ get; {accessor}; }} = [];",
            $"public Dictionary<string, int> Counters {{ get; {accessor}; }} = [];",
            $"public double Score {{ get; {accessor}; }}",
            $"public Guid Id {{ get; {accessor}; }}",
            $"public Mood Mood {{ get; {accessor}; }}",
            $"public bool Enabled {{ get; {accessor}; }}",
            $"public long? Budget {{ get; {accessor}; }}",
            $"public {part}? Detail {{ get; {accessor}; }}",
            $"public List<{part}> Items {{ get; {accessor}; }} = [];",
            $"public Dictionary<string, {part}> Entries {{ get; {accessor}; }} = [];",
            $"public TimeSpan Window {{ get; {accessor}; }}",
            $"public string[] Aliases {{ get; {accessor}; }} = [];",
        ];

        var text = new StringBuilder();
        text.Append("using System;\nusing System.Collections.Generic;\nusing System.Text.Json.Nodes;\nusing GeneratorCost.Common;\nusing GeneratorCost.Parts;\nusing TypedState;\n\n");
        text.Append(CultureInfo.InvariantCulture, $"namespace GeneratorCost.Area{i % 10};\n\n");
        var version = IsVersioned(i) ? "(Version = 3)" : string.Empty;
        text.Append(CultureInfo.InvariantCulture, $"/// <summary>State type {i}.</summary>\n[{s_scopes[i % 3]}{version}]\n");
        text.Append(CultureInfo.InvariantCulture, $"public partial {(i % 7 == 3 ? "record" : "class")} State{i}\n{{\n");
        for (var m = 0; m < 8; m++)
        {
            text.Append("    ").Append(kinds[(i + m) % kinds.Length]).Append("\n\n");
        }

        if (revision is { } r)
        {
            text.Append(CultureInfo.InvariantCulture, $"    public int Revision{r % 2} {{ get; {accessor}; }}\n\n");
        }

        if (IsVersioned(i))
        {
            text.Append("""
                    // v1 called the name "title".
                    private static void MigrateV1ToV2(JsonObject state)
                    {
                        state["name"] = state["title"]?.DeepClone();
                        state.Remove("title");
                    }

                    // v2 had a "legacy" flag.
                    private static void MigrateV2ToV3(JsonObject state) => state.Remove("legacy");

                """);
        }

        text.Append("}\n");
        return text.ToString();
    }

    private static string PlainText(int k, int? revision) => $$"""
        namespace GeneratorCost.Services;

        /// <summary>A class the generator ignores.</summary>
        public sealed class Service{{k}}
        {
            public int Compute(int x)
            {
                var y = x * {{k + 1}};
                return y + {{(revision ?? -1) + 2}};
            }

            public string Describe() => "service {{k}}";
        }

        """;
}
