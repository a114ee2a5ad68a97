using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace TypedState.Analyzers;

/// <summary>
/// Rule 5: constant keys, prefixes and owner ids that the store refuses at run time (TSTATE2007), and prefixes
/// written like wildcards, which <c>ListAsync</c> matches literally (TSTATE2008).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class StateKeyAnalyzer : StateAnalyzer
{
    /// <summary>The .editorconfig key that sets the key length limit, for a project that changes StateManagerOptions.MaxKeyLength.</summary>
    public const string MaxKeyLengthOption = "typedstate.max_key_length";

    // SQL LIKE and glob characters: what people write when they expect pattern matching.
    private static readonly char[] s_wildcards = ['*', '?', '%'];

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        [DiagnosticDescriptors.InvalidKey, DiagnosticDescriptors.WildcardPrefix];

    private protected override void Register(CompilationStartAnalysisContext context, KnownTypes known) =>
        context.RegisterOperationAction(c => AnalyzeInvocation(c, known), OperationKind.Invocation);

    private static void AnalyzeInvocation(OperationAnalysisContext context, KnownTypes known)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (!known.IsStateApi(method) || method.Name == "FromStored")
        {
            return;
        }

        foreach (var argument in invocation.Arguments)
        {
            if (argument.IsImplicit || argument.Parameter is not { Type.SpecialType: SpecialType.System_String } parameter
                || argument.Value.ConstantValue is not { HasValue: true, Value: string value })
            {
                continue;
            }

            switch (parameter.Name)
            {
                case "key":
                    Check(context, argument.Value, "key", value, MaxKeyLength(context, argument.Value), allowEmpty: false);
                    break;
                case "prefix":
                    if (Check(context, argument.Value, "prefix", value, MaxKeyLength(context, argument.Value), allowEmpty: true))
                    {
                        CheckWildcard(context, argument.Value, value);
                    }

                    break;
                case "guildId":
                    Check(context, argument.Value, "guild id", value, KeyRules.MaxIdLength, allowEmpty: false);
                    break;
                case "agentId":
                    Check(context, argument.Value, "agent id", value, KeyRules.MaxIdLength, allowEmpty: false);
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>Reports the value when the runtime refuses it; returns whether it is acceptable.</summary>
    private static bool Check(OperationAnalysisContext context, IOperation value, string what, string text, int maxLength, bool allowEmpty)
    {
        if (KeyRules.Describe(text, maxLength, allowEmpty) is not { } problem)
        {
            return true;
        }

        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InvalidKey, value.Syntax.GetLocation(), what, KeyRules.Printable(text), problem));
        return false;
    }

    private static void CheckWildcard(OperationAnalysisContext context, IOperation value, string prefix)
    {
        var at = prefix.IndexOfAny(s_wildcards);
        if (at >= 0)
        {
            var literal = prefix.Substring(0, at);
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.WildcardPrefix, value.Syntax.GetLocation(), prefix, prefix[at], literal));
        }
    }

    private static int MaxKeyLength(OperationAnalysisContext context, IOperation value)
    {
        var options = context.Options.AnalyzerConfigOptionsProvider.GetOptions(value.Syntax.SyntaxTree);
        return options.TryGetValue(MaxKeyLengthOption, out var text)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit > 0
                ? limit
                : KeyRules.DefaultMaxKeyLength;
    }
}
