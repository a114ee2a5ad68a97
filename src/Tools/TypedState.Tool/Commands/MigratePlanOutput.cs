using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using TypedState.Tool.Output;
using TypedState.Tool.Store;

namespace TypedState.Tool.Commands;

/// <summary>How <c>typedstate migrate --dry-run</c> shows a <see cref="StateMigrationPlan"/>: tables, line diffs and failures, or one JSON document.</summary>
internal static class MigratePlanOutput
{
    public static void Write(ToolOutput output, StoreSession store, StateMigrationPlan plan)
    {
        if (output.Json)
        {
            output.WriteJson(writer => WriteJson(writer, store, plan));
            return;
        }

        output.Line(store.Description);
        output.Line("Dry run: what migrate would do; nothing is written.");
        var table = ToolOutput.Table("Type", "Scope", "Code", "Stored", "Records", "Current", "Upgrade", "Newer", "Fail");
        foreach (var type in plan.Types)
        {
            var versions = type.Versions;
            if (versions.Count == 0)
            {
                table.AddRow(Markup.Escape(NameOf(type.Schema)), type.Schema.Scope.ToString(), V(type.Schema.Version), "-", "0", "0", "0", "0", "0");
            }

            foreach (var version in versions)
            {
                table.AddRow(
                    Markup.Escape(NameOf(type.Schema)), type.Schema.Scope.ToString(), V(type.Schema.Version), version.StoredVersion is { } v ? V(v) : "-",
                    N(version.Records), N(version.AlreadyCurrent), N(version.WouldUpgrade), N(version.NewerThanCode), N(version.WouldFail));
            }
        }

        output.Write(table);
        WriteSamples(output, plan);
        WriteFailures(output, plan);
        output.Line($"Would upgrade {N(plan.WouldUpgrade)} record(s); {N(plan.FailureCount)} record(s) would stop the migration.");
    }

    /// <summary>The type's name, and its key when the key is another.</summary>
    public static string NameOf(StateSchema schema) =>
        schema.Key == schema.Type.Name ? schema.Type.Name : $"{schema.Type.Name} ({schema.Key})";

    private static void WriteSamples(ToolOutput output, StateMigrationPlan plan)
    {
        foreach (var type in plan.Types)
        {
            foreach (var version in type.Versions)
            {
                foreach (var sample in version.Samples)
                {
                    output.Line(string.Empty);
                    output.Line($"{type.Schema.Type.Name} v{version.StoredVersion} -> v{type.Schema.Version}, {sample.Owner} key '{sample.Key}':");
                    foreach (var line in JsonLineDiff.Lines(ToolOutput.Pretty(sample.Before), ToolOutput.Pretty(sample.After)))
                    {
                        output.Line(line);
                    }
                }
            }
        }
    }

    private static void WriteFailures(ToolOutput output, StateMigrationPlan plan)
    {
        if (plan.FailureCount == 0)
        {
            output.Line(string.Empty);
            return;
        }

        output.Line(string.Empty);
        output.Line($"Records that would stop the migration: {N(plan.FailureCount)}");
        foreach (var type in plan.Types)
        {
            foreach (var failure in type.Failures)
            {
                output.Line($"  {failure.Owner} key '{failure.Key}' (stored v{failure.StoredVersion?.ToString(CultureInfo.InvariantCulture) ?? "?"}): {failure.Reason}");
            }

            if (type.FailureCount > type.Failures.Count)
            {
                output.Line($"  ... and {N(type.FailureCount - type.Failures.Count)} more {type.Schema.Type.Name} record(s)");
            }
        }

        output.Line(string.Empty);
    }

    private static void WriteJson(Utf8JsonWriter writer, StoreSession store, StateMigrationPlan plan)
    {
        writer.WriteStartObject();
        writer.WriteString("store", store.Description);
        writer.WriteBoolean("dryRun", true);
        writer.WriteBoolean("wouldSucceed", plan.WouldSucceed);
        writer.WriteNumber("wouldUpgrade", plan.WouldUpgrade);
        writer.WriteNumber("failureCount", plan.FailureCount);
        writer.WriteStartArray("types");
        foreach (var type in plan.Types)
        {
            writer.WriteStartObject();
            WriteSchema(writer, type.Schema);
            writer.WriteNumber("ownersScanned", type.OwnersScanned);
            WriteCounts(writer, type.Records, type.AlreadyCurrent, type.WouldUpgrade, type.NewerThanCode, type.WouldFail);
            writer.WriteStartArray("versions");
            foreach (var version in type.Versions)
            {
                WriteVersion(writer, version);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("failures");
            foreach (var failure in type.Failures)
            {
                writer.WriteStartObject();
                OwnerJson.Write(writer, failure.Owner);
                writer.WriteString("key", failure.Key);
                WriteVersionNumber(writer, "storedVersion", failure.StoredVersion);
                writer.WriteBoolean("newerThanCode", failure.IsNewerThanCode);
                writer.WriteString("error", failure.Error.GetType().Name);
                writer.WriteString("reason", failure.Reason);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteNumber("failuresNotListed", type.FailureCount - type.Failures.Count);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>The state type's name, scope, key and code version, as every migrate JSON document names them.</summary>
    public static void WriteSchema(Utf8JsonWriter writer, StateSchema schema)
    {
        writer.WriteString("type", schema.Type.FullName);
        writer.WriteString("scope", schema.Scope.ToString());
        writer.WriteString("key", schema.Key);
        writer.WriteNumber("version", schema.Version);
    }

    private static void WriteVersion(Utf8JsonWriter writer, StateMigrationVersionPlan version)
    {
        writer.WriteStartObject();
        WriteVersionNumber(writer, "storedVersion", version.StoredVersion);
        WriteCounts(writer, version.Records, version.AlreadyCurrent, version.WouldUpgrade, version.NewerThanCode, version.WouldFail);
        writer.WriteStartArray("samples");
        foreach (var sample in version.Samples)
        {
            writer.WriteStartObject();
            OwnerJson.Write(writer, sample.Owner);
            writer.WriteString("key", sample.Key);
            RecordJson.WriteValue(writer, "before", sample.Before);
            RecordJson.WriteValue(writer, "after", sample.After);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteCounts(Utf8JsonWriter writer, long records, long current, long upgrade, long newer, long fail)
    {
        writer.WriteNumber("records", records);
        writer.WriteNumber("alreadyCurrent", current);
        writer.WriteNumber("wouldUpgrade", upgrade);
        writer.WriteNumber("newerThanCode", newer);
        writer.WriteNumber("wouldFail", fail);
    }

    private static void WriteVersionNumber(Utf8JsonWriter writer, string name, int? version)
    {
        if (version is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static string V(int version) => version.ToString(CultureInfo.InvariantCulture);

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
