namespace TypedState.Tool;

/// <summary>A failure the tool reports as is: a message for the operator and the exit code for scripts.</summary>
internal sealed class ToolException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
