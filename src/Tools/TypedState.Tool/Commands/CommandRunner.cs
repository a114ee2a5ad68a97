using System.CommandLine;
using TypedState.Tool.Output;
using TypedState.Tool.Store;

namespace TypedState.Tool.Commands;

/// <summary>
/// Runs a command's body against the store: opens it, maps every failure to a message naming the store (and the
/// exception's scope, owner and key) and an exit code, and closes it.
/// </summary>
internal static class CommandRunner
{
    public delegate Task<int> Body(StoreSession store, ToolOutput output, ParseResult parse, CancellationToken cancellationToken);

    public static void SetBody(Command command, Body body) =>
        command.SetAction((parse, cancellationToken) => RunAsync(parse, body, cancellationToken));

    private static async Task<int> RunAsync(ParseResult parse, Body body, CancellationToken cancellationToken)
    {
        var output = ToolOutput.ForConsole(parse.GetValue(StoreOptions.Json));
        StoreSession? store = null;
        try
        {
            store = StoreSession.Open(parse);
            return await body(store, output, parse, cancellationToken).ConfigureAwait(false);
        }
        catch (ToolException exception)
        {
            output.Error(store is null ? exception.Message : $"{store.Description}: {exception.Message}");
            return exception.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.Error("Cancelled.");
            return ExitCodes.Refused;
        }
        catch (Exception exception) when (exception is StateException or TimeoutException)
        {
            output.Error($"{store?.Description ?? "the store"}: {exception.Message}");
            return ExitCodeOf(exception);
        }
        finally
        {
            if (store is not null)
            {
                await store.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The exit code of a store failure (see <see cref="ExitCodes"/>).</summary>
    public static int ExitCodeOf(Exception exception) => exception switch
    {
        StateTimelineException { Failure: TimelineFailure.NotStarted } or StateNotFoundException or StateQuarantineException { Failure: QuarantineFailure.NotFound } => ExitCodes.NotFound,
        StateQuarantineException { Failure: QuarantineFailure.Ambiguous } => ExitCodes.Usage,
        CorruptStateException or StateTypeMismatchException or StateSchemaException or StateMigrationException => ExitCodes.DataError,
        InvalidStateKeyException or StateValueTooLargeException => ExitCodes.Usage,
        StateDriverException or TimeoutException => ExitCodes.StoreUnavailable,
        _ => ExitCodes.Refused,
    };
}
