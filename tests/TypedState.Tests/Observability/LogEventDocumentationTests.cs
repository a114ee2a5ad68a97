using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace TypedState.Tests.Observability;

/// <summary>
/// Every message the packages log is a <see cref="LoggerMessageAttribute"/> method with an event id of its own, and
/// docs/telemetry.md lists each one (id, name, level, package): a new message, or a renumbered one, fails here until
/// the page says so.
/// </summary>
public sealed partial class LogEventDocumentationTests
{
    private static readonly Assembly[] s_packages =
    [
        typeof(StateManager).Assembly,
        typeof(Sqlite.SqliteStateDriver).Assembly,
        typeof(Postgres.PostgresStateDriver).Assembly,
        typeof(Redis.RedisStateDriver).Assembly,
    ];

    [Fact]
    public void Every_logged_event_has_a_unique_id_and_is_listed_in_docs_telemetry()
    {
        var logged = LoggedEvents();
        Assert.True(logged.Count >= 30, $"Only {logged.Count} [LoggerMessage] methods found.");
        Assert.All(logged, e => Assert.True(e.Id > 0, $"{e.Name} in {e.Package} logs without an event id."));
        var reused = logged.GroupBy(e => e.Id).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => $"{e.Package}.{e.Name}"))}");
        Assert.Empty(reused);

        var documented = DocumentedEvents();
        var missing = logged.Except(documented).Select(e => e.ToString());
        Assert.True(!missing.Any(), "docs/telemetry.md does not list these log events (id | name | level | package):\n" + string.Join("\n", missing));
        var stale = documented.Except(logged).Select(e => e.ToString());
        Assert.True(!stale.Any(), "docs/telemetry.md lists log events no package logs:\n" + string.Join("\n", stale));
    }

    [Fact]
    public void No_package_logs_through_the_LoggerExtensions_methods_that_carry_no_event_id()
    {
        // LogInformation(...) and its siblings log event id 0: every message goes through a [LoggerMessage] method instead.
        var offenders = new List<string>();
        foreach (var assembly in s_packages)
        {
            foreach (var method in assembly.GetTypes().SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)))
            {
                if (CallsLoggerExtensions(method))
                {
                    offenders.Add($"{method.DeclaringType}.{method.Name}");
                }
            }
        }

        Assert.Empty(offenders);
    }

    private static HashSet<LogEvent> LoggedEvents()
    {
        var events = new HashSet<LogEvent>();
        foreach (var assembly in s_packages)
        {
            foreach (var method in assembly.GetTypes().SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)))
            {
                if (method.GetCustomAttribute<LoggerMessageAttribute>() is { } message)
                {
                    events.Add(new LogEvent(message.EventId, message.EventName ?? method.Name, message.Level.ToString(), assembly.GetName().Name!));
                }
            }
        }

        return events;
    }

    private static HashSet<LogEvent> DocumentedEvents()
    {
        var page = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "telemetry.md"));
        return [.. EventRow().Matches(page).Select(m => new LogEvent(
            int.Parse(m.Groups["id"].Value, System.Globalization.CultureInfo.InvariantCulture),
            m.Groups["name"].Value,
            m.Groups["level"].Value,
            m.Groups["package"].Value))];
    }

    /// <summary>Whether the method's IL calls a method of <see cref="LoggerExtensions"/> (call/callvirt and a method token).</summary>
    private static bool CallsLoggerExtensions(MethodInfo method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            return false;
        }

        for (var i = 0; i + 4 < il.Length; i++)
        {
            if (il[i] != OpCodes.Call.Value && il[i] != OpCodes.Callvirt.Value)
            {
                continue;
            }

            var token = BitConverter.ToInt32(il, i + 1);
            if ((token >> 24) is not (0x0A or 0x06 or 0x2B))
            {
                continue;
            }

            try
            {
                if (method.Module.ResolveMethod(token, method.DeclaringType?.GetGenericArguments(), method.IsGenericMethod ? method.GetGenericArguments() : null)?.DeclaringType == typeof(LoggerExtensions))
                {
                    return true;
                }
            }
            catch (ArgumentException)
            {
                // Not a method token after all: an operand of another instruction.
            }
        }

        return false;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TypedState.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No TypedState.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"^\| (?<id>\d+) \| (?<name>\w+) \| (?<level>\w+) \| (?<package>[\w.]+) \|", RegexOptions.Multiline)]
    private static partial Regex EventRow();

    private sealed record LogEvent(int Id, string Name, string Level, string Package)
    {
        public override string ToString() => $"{Id} | {Name} | {Level} | {Package}";
    }
}
