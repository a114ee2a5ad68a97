using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace TypedState.Tool.Output;

/// <summary>
/// Examples shown at the end of a command's <c>--help</c>, below System.CommandLine's own help (which has no place for
/// them), so the command list stays one line per command.
/// </summary>
internal static class Examples
{
    private static readonly Dictionary<Command, string[]> s_examples = [];

    /// <summary>Gives <paramref name="command"/> its examples and returns it.</summary>
    public static Command With(this Command command, params string[] examples)
    {
        s_examples[command] = examples;
        return command;
    }

    /// <summary>Makes the root's help option print the examples of the command asked about, at 80 columns when redirected.</summary>
    public static void Install(RootCommand root)
    {
        foreach (var option in root.Options)
        {
            if (option is HelpOption { Action: HelpAction help } helpOption)
            {
                if (Console.IsOutputRedirected)
                {
                    help.MaxWidth = 80;
                }

                helpOption.Action = new WithExamples(help);
            }
        }
    }

    private sealed class WithExamples(HelpAction help) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var result = help.Invoke(parseResult);
            if (s_examples.TryGetValue(parseResult.CommandResult.Command, out var examples))
            {
                Console.Out.WriteLine("Examples:");
                foreach (var example in examples)
                {
                    Console.Out.WriteLine("  " + example);
                }

                Console.Out.WriteLine();
            }

            return result;
        }
    }
}
