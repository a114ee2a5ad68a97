using System.Globalization;
using Npgsql;

namespace TypedState.Benchmarks.Parity;

/// <summary>
/// <c>parity --server-stats</c> on PostgreSQL: where a row's server time goes, per statement, from pg_stat_statements
/// (loaded by the run's own server, planning tracked too). Reset before a row, read after it: each statement's calls,
/// mean execution and planning time, attributed to a side by the schema its text names; then each side's server time
/// per operation (the sum over its top-level statements ÷ the operations it ran in the row, warm-up included on both
/// counts). Statements run inside a function are listed as nested: their time is already in the call's.
/// </summary>
internal sealed class PostgresStatementStats(string connectionString)
{
    /// <summary>The settings the server needs: the extension loaded at start, every statement and its planning tracked.</summary>
    public static readonly string[] ServerSettings =
        ["shared_preload_libraries=pg_stat_statements", "pg_stat_statements.track=all", "pg_stat_statements.track_planning=on", "pg_stat_statements.max=10000"];

    /// <summary>Creates the extension in the run's database.</summary>
    public void Install() => Execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");

    /// <summary>Forgets every statement counted so far.</summary>
    public void Reset() => Execute("SELECT pg_stat_statements_reset()");

    /// <summary>
    /// Prints the statements run since <see cref="Reset"/>, by side, and each side's server µs per operation:
    /// <paramref name="sides"/> names each side's markers (its tables' schema as the SQL names it, or another text only
    /// its statements hold; alternatives separated by <c>|</c>, the first side that matches takes the statement) and
    /// the operations it ran. Statements no side claims (BEGIN, COMMIT) are listed but not counted.
    /// </summary>
    public void Print(string row, params (string Side, string Marker, long Operations)[] sides)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(
            "SELECT query, calls, total_exec_time, total_plan_time, plans, rows, toplevel FROM pg_stat_statements " +
            "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time DESC",
            connection);
        var totals = new double[sides.Length];
        var lines = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var (query, calls, exec, plan, plans, rows) = (reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetInt64(4), reader.GetInt64(5));
                var topLevel = reader.GetBoolean(6);
                var side = SideOf(query, sides);
                if (calls == 0)
                {
                    continue;
                }

                if (side >= 0 && topLevel)
                {
                    totals[side] += exec + plan;
                }

                var text = System.Text.RegularExpressions.Regex.Replace(query, @"\s+", " ");
                lines.Add(string.Create(
                    CultureInfo.InvariantCulture,
                    $"  {(side >= 0 ? sides[side].Side : "?"),-10}{(topLevel ? "  " : " (nested)")} {calls,8} calls {exec * 1000 / calls,8:F1} µs exec {(plans > 0 ? plan * 1000 / plans : 0),7:F1} µs plan × {plans,7} plans {rows / (double)calls,5:F1} rows  {text[..Math.Min(text.Length, 150)]}"));
            }
        }

        Console.WriteLine();
        Console.WriteLine($"Server statements, {row} (pg_stat_statements, mean per call):");
        foreach (var line in lines)
        {
            Console.WriteLine(line);
        }

        for (var i = 0; i < sides.Length; i++)
        {
            var perOp = sides[i].Operations > 0 ? totals[i] * 1000 / sides[i].Operations : 0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  server µs per operation, {sides[i].Side}: {perOp:F1} ({sides[i].Operations} operations; statements naming its schema only)"));
        }

        Console.WriteLine();
    }

    /// <summary>The side whose marker <paramref name="query"/> holds, TypedState's first (its lock statements also name the floor's lock keys), or -1.</summary>
    private static int SideOf(string query, (string Side, string Marker, long Operations)[] sides)
    {
        var found = -1;
        for (var i = 0; i < sides.Length; i++)
        {
            if (sides[i].Marker.Split('|').Any(marker => query.Contains(marker, StringComparison.Ordinal)) && (found < 0 || sides[i].Side == "TypedState"))
            {
                found = i;
            }
        }

        return found;
    }

    private void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
