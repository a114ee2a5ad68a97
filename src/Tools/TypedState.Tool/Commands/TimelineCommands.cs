using System.CommandLine;
using TypedState.Timeline;
using TypedState.Tool.Output;

namespace TypedState.Tool.Commands;

/// <summary>
/// The commands that change a guild's timeline: <c>pause</c>, <c>resume</c>, <c>fork</c>, <c>detach</c>, <c>prune</c>. Each prints the
/// timeline as it is afterwards; a refusal names the guild and the sequence and changes nothing.
/// </summary>
internal static class TimelineCommands
{
    private static readonly Argument<string> s_guild = new("guild") { Description = "The guild." };

    private static readonly Option<long> s_at = new("--at") { Description = "The sequence to fork at.", Required = true };

    private static readonly Argument<string> s_newGuild = new("new-guild") { Description = "The id of the new guild (it must hold nothing)." };

    private static readonly Option<long> s_horizon = new("--horizon") { Description = "Drop history before this sequence (lowered to live fork points and pins).", Required = true };

    public static IEnumerable<Command> Create()
    {
        yield return Simple("pause", "Pauses a guild at its head: every write to it is refused until resumed.", "typedstate pause support",
            (timelines, guild, _, ct) => timelines.PauseAsync(guild, ct));
        yield return Simple("resume", "Resumes a paused guild.", "typedstate resume support",
            (timelines, guild, _, ct) => timelines.ResumeAsync(guild, ct));

        var fork = Simple("fork", "Forks a guild at a sequence into a new guild that reads as the source did then.", "typedstate fork support support-what-if --at 120",
            (timelines, guild, parse, ct) => timelines.ForkAsync(guild, parse.GetValue(s_at), parse.GetRequiredValue(s_newGuild), ct));
        fork.Arguments.Add(s_newGuild);
        fork.Options.Add(s_at);
        yield return fork;

        yield return Simple("detach", "Gives a fork its own copy of what it reads through its source, so the source can go.", "typedstate detach support-what-if",
            (timelines, guild, _, ct) => timelines.DetachAsync(guild, ct));

        var prune = Simple("prune", "Drops a guild's history before a horizon, keeping what forks and pins still read.", "typedstate prune support --horizon 1000",
            (timelines, guild, parse, ct) => timelines.PruneAsync(guild, parse.GetValue(s_horizon), ct));
        prune.Options.Add(s_horizon);
        yield return prune;
    }

    private static Command Simple(string name, string description, string example, Func<IGuildTimelines, string, ParseResult, CancellationToken, ValueTask<GuildTimeline>> change)
    {
        var command = new Command(name, description).With(example);
        command.Arguments.Add(s_guild);
        CommandRunner.SetBody(command, async (store, output, parse, cancellationToken) =>
        {
            var timeline = await change(store.State.Timelines, parse.GetRequiredValue(s_guild), parse, cancellationToken).ConfigureAwait(false);
            if (output.Json)
            {
                output.WriteJson(writer => TimelineJson.WriteObject(writer, timeline));
            }
            else
            {
                output.Line(TimelineJson.Describe(timeline));
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
