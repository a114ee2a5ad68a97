using Microsoft.CodeAnalysis.Diagnostics;

namespace TypedState.Analyzers;

/// <summary>
/// The set-up every TypedState analyzer shares: concurrent, silent in generated code, and registering its actions only
/// in compilations that reference TypedState, with the TypedState symbols resolved once per compilation.
/// </summary>
public abstract class StateAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public sealed override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (KnownTypes.TryCreate(start.Compilation) is { } known)
            {
                Register(start, known);
            }
        });
    }

    /// <summary>Registers the analyzer's operation or symbol actions for one compilation.</summary>
    private protected abstract void Register(CompilationStartAnalysisContext context, KnownTypes known);
}
