using System.Runtime.ExceptionServices;

namespace TypedState;

internal static class ExceptionExtensions
{
    /// <summary>Captures the original stack trace so that <c>throw Translate(ex)</c> keeps it for pass-through exceptions.</summary>
    public static Exception Rethrowable(this Exception exception)
    {
        ExceptionDispatchInfo.Capture(exception).Throw();
        return exception;
    }
}
