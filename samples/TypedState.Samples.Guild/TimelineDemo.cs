using System.Text;
using TypedState.Guilds;
using TypedState.Timeline;

namespace TypedState.Samples.Guild;

/// <summary>
/// A guild with a timeline: it runs a short conversation, is forked at an earlier point, the fork is told something
/// else, and the two timelines are printed side by side. The demo's guilds are removed and rebuilt on every run.
/// </summary>
internal static class TimelineDemo
{
    private const string Source = "timeline-demo";
    private const string Fork = "timeline-demo-what-if";

    public static async Task RunAsync(IStateManager state, IGuildTimelines timelines, GuildHost host)
    {
        // Forks first: a guild whose timeline has live forks is not removed.
        await state.RemoveGuildAsync(Fork);
        await state.RemoveGuildAsync(Source);

        await timelines.StartAsync(Source);
        var guild = host.StartGuild(Source, new GuildOptions { RecordMessages = true });
        guild.AddAgent("greeter", new GreeterAgent(TimeProvider.System));
        guild.AddAgent("librarian", new LibrarianAgent());
        await guild.PublishAsync(new Fact("ada", "likes tea"));
        var forkPoint = (await timelines.GetAsync(Source))!.Head;
        await guild.SendAsync("greeter", new Visit("ada"));
        await guild.PublishAsync(new Fact("ada", "switched to coffee"));
        await guild.StopAsync();

        // The fork starts as the guild was before ada's visit, and is told something else.
        await timelines.ForkAsync(Source, forkPoint, Fork);
        var whatIf = host.StartGuild(Fork, new GuildOptions { RecordMessages = true });
        whatIf.AddAgent("greeter", new GreeterAgent(TimeProvider.System));
        whatIf.AddAgent("librarian", new LibrarianAgent());
        await whatIf.SendAsync("greeter", new Visit("grace"));
        await whatIf.StopAsync();

        Console.WriteLine($"Timelines: '{Source}' and its fork '{Fork}' at sequence {forkPoint}");
        var left = await LinesAsync(timelines, Source);
        var right = await LinesAsync(timelines, Fork);
        Console.WriteLine($"  {"seq",3}  {Source,-44}  {Fork}");
        for (var i = 0; i < Math.Max(left.Count, right.Count); i++)
        {
            var l = i < left.Count ? left[i] : string.Empty;
            var r = i < right.Count ? right[i] : string.Empty;
            Console.WriteLine($"  {i + 1,3}  {l,-44}  {(i < forkPoint ? "(shared)" : r)}");
        }

        Console.WriteLine($"  since the fork: {left.Count - forkPoint} entries in '{Source}', {right.Count - forkPoint} in '{Fork}'; neither sees the other's");
    }

    private static async Task<List<string>> LinesAsync(IGuildTimelines timelines, string guildId)
    {
        var lines = new List<string>();
        await foreach (var entry in timelines.ReadAsync(guildId))
        {
            lines.Add(Describe(entry));
        }

        return lines;
    }

    private static string Describe(TimelineEntry entry)
    {
        var who = entry.Owner.AgentId ?? "guild";
        if (RecordedMessage.TryRead(entry, out var message))
        {
            var type = message.MessageType[(message.MessageType.LastIndexOf('.') + 1)..];
            return $"-> {who}: {type} {Encoding.UTF8.GetString(message.Payload.Span)}".Replace("\"", string.Empty, StringComparison.Ordinal);
        }

        return entry.Kind switch
        {
            TimelineEntryKind.Set => $"   {who} set {entry.Key} v{entry.Version}",
            TimelineEntryKind.Delete => $"   {who} deleted {entry.Key}",
            _ => $"   {who} {entry.Kind.ToString().ToLowerInvariant()} {entry.Key}",
        };
    }
}
