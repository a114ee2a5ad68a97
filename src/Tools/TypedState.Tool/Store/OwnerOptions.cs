using System.CommandLine;

namespace TypedState.Tool.Store;

/// <summary>Which owner a command addresses: <c>--guild g</c>, <c>--guild g --agent a</c> or <c>--global</c>.</summary>
internal static class OwnerOptions
{
    public static readonly Option<string?> Guild = new("--guild") { Description = "The guild: its guild state, or with --agent one of its agents." };

    public static readonly Option<string?> Agent = new("--agent") { Description = "The agent (with --guild)." };

    public static readonly Option<bool> Global = new("--global") { Description = "The application's global state." };

    public static void AddTo(Command command)
    {
        command.Options.Add(Guild);
        command.Options.Add(Agent);
        command.Options.Add(Global);
    }

    public static StateOwner Resolve(ParseResult parse)
    {
        var guild = parse.GetValue(Guild);
        var agent = parse.GetValue(Agent);
        var global = parse.GetValue(Global);
        try
        {
            return (global, guild, agent) switch
            {
                (true, null, null) => StateOwner.Global,
                (false, { } g, null) => StateOwner.Guild(g),
                (false, { } g, { } a) => StateOwner.Agent(g, a),
                (false, null, { }) => throw new ToolException(ExitCodes.Usage, "--agent needs the agent's --guild."),
                _ => throw new ToolException(ExitCodes.Usage, "Name one owner: --global, --guild <id>, or --guild <id> --agent <id>."),
            };
        }
        catch (ArgumentException exception)
        {
            throw new ToolException(ExitCodes.Usage, exception.Message);
        }
    }
}
