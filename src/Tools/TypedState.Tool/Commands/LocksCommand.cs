using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using TypedState.Tool.Output;
using TypedState.Tool.Store;

namespace TypedState.Tool.Commands;

/// <summary>
/// <c>typedstate locks</c>: the locks held now, of every owner or of some, with their fencing tokens, how long their
/// leases last and who holds them. Streamed from the store's paged listing; the table is written in chunks.
/// </summary>
internal static class LocksCommand
{
    /// <summary>Rows per table: a table is measured whole, so a long listing is written as several.</summary>
    private const int RowsPerTable = 500;

    private static readonly Option<string?> s_scope = new("--scope") { Description = "Only locks of this scope: agent, guild or global." };

    // The owner options of other commands name one owner; here they filter, so they say so.
    private static readonly Option<string?> s_guild = new("--guild") { Description = "Only locks of this guild: its own and its agents' (with --agent: one agent's)." };

    private static readonly Option<string?> s_agent = new("--agent") { Description = "Only locks of agents with this id (in every guild unless --guild)." };

    private static readonly Option<bool> s_global = new("--global") { Description = "Only locks of global state." };

    public static Command Create()
    {
        var command = new Command("locks", "Lists held locks: owner, key, fencing token, lease left and holder.")
            .With("typedstate locks", "typedstate locks --guild support --json", "typedstate locks --scope agent");
        command.Options.Add(s_guild);
        command.Options.Add(s_agent);
        command.Options.Add(s_global);
        command.Options.Add(s_scope);
        CommandRunner.SetBody(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(StoreSession store, ToolOutput output, ParseResult parse, CancellationToken cancellationToken)
    {
        var (scope, matches) = Filter(parse);
        var locks = store.State.ListLocksAsync(scope, cancellationToken).Where(matches);
        if (output.Json)
        {
            await output.WriteJsonAsync(async writer =>
            {
                writer.WriteStartArray();
                await foreach (var held in locks.ConfigureAwait(false))
                {
                    Write(writer, held);
                    await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
                }

                writer.WriteEndArray();
            }).ConfigureAwait(false);
            return ExitCodes.Success;
        }

        var count = 0;
        Table? table = null;
        await foreach (var held in locks.ConfigureAwait(false))
        {
            table ??= ToolOutput.Table("Scope", "Owner", "Key", "Token", "Expires in", "Holder");
            table.AddRow(
                held.Owner.Scope.ToString(),
                Markup.Escape(OwnerIds(held.Owner)),
                Markup.Escape(held.Key ?? "(whole owner)"),
                held.Token.ToString(CultureInfo.InvariantCulture),
                Left(held.ExpiresAt - DateTimeOffset.UtcNow),
                Markup.Escape(held.Holder ?? "-"));
            if (++count % RowsPerTable == 0)
            {
                output.Write(table);
                table = null;
            }
        }

        if (table is not null)
        {
            output.Write(table);
        }

        output.Line($"{count.ToString(CultureInfo.InvariantCulture)} lock(s) held.");
        return ExitCodes.Success;
    }

    /// <summary>
    /// The scope the store is asked for and the test each lock must pass: <c>--scope</c>, or the owners named by
    /// <c>--global</c>, <c>--guild</c> (its guild state and its agents), <c>--guild --agent</c>, or <c>--agent</c>
    /// alone (that agent id in any guild); every lock when none is given.
    /// </summary>
    private static (Scope? Scope, Func<HeldLock, bool> Matches) Filter(ParseResult parse)
    {
        var guild = parse.GetValue(s_guild);
        var agent = parse.GetValue(s_agent);
        var global = parse.GetValue(s_global);
        if (parse.GetValue(s_scope) is { } named)
        {
            if (guild is not null || agent is not null || global)
            {
                throw new ToolException(ExitCodes.Usage, "--scope cannot be combined with --guild, --agent or --global.");
            }

            return Enum.TryParse<Scope>(named, ignoreCase: true, out var scope) && Enum.IsDefined(scope) && !int.TryParse(named, out _)
                ? (scope, static _ => true)
                : throw new ToolException(ExitCodes.Usage, $"Unknown scope '{named}': use agent, guild or global.");
        }

        return (global, guild, agent) switch
        {
            (false, null, null) => (null, static _ => true),
            (true, null, null) => (Scope.Global, static _ => true),
            (false, { } g, null) => (null, held => held.Owner.Scope != Scope.Global && held.Owner.GuildIdOrEmpty == g),
            (false, { } g, { } a) => (Scope.Agent, held => held.Owner.GuildIdOrEmpty == g && held.Owner.AgentIdOrEmpty == a),
            (false, null, { } a) => (Scope.Agent, held => held.Owner.AgentIdOrEmpty == a),
            _ => throw new ToolException(ExitCodes.Usage, "--global cannot be combined with --guild or --agent."),
        };
    }

    private static void Write(Utf8JsonWriter writer, HeldLock held)
    {
        writer.WriteStartObject();
        OwnerJson.Write(writer, held.Owner);
        writer.WriteString("key", held.Key);
        writer.WriteNumber("token", held.Token);
        writer.WriteString("expiresAt", held.ExpiresAt);
        writer.WriteString("holder", held.Holder);
        writer.WriteEndObject();
    }

    /// <summary>The owner's ids: <c>guild/agent</c>, the guild, or <c>-</c> for global state.</summary>
    private static string OwnerIds(StateOwner owner) => owner.Scope switch
    {
        Scope.Agent => owner.GuildIdOrEmpty + "/" + owner.AgentIdOrEmpty,
        Scope.Guild => owner.GuildIdOrEmpty,
        _ => "-",
    };

    /// <summary>A lease left, by this machine's clock, in its two largest units: <c>4m 12s</c>, <c>1h 3m</c>, <c>850ms</c>.</summary>
    private static string Left(TimeSpan left) => left switch
    {
        { Ticks: <= 0 } => "0s",
        { TotalSeconds: < 1 } => $"{left.Milliseconds}ms",
        { TotalMinutes: < 1 } => $"{left.Seconds}s",
        { TotalHours: < 1 } => $"{left.Minutes}m {left.Seconds}s",
        _ => $"{(int)left.TotalHours}h {left.Minutes}m",
    };
}
