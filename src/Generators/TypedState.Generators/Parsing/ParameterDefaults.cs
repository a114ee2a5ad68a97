using System;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace TypedState.Generators.Parsing;

/// <summary>
/// The default value a primary-constructor parameter declares, as a C# expression the generated constructor passes
/// when the document lacks the member (so <c>record R(int Max = 10)</c> read from <c>{}</c> has <c>Max == 10</c>).
/// </summary>
internal static class ParameterDefaults
{
    /// <summary>The expression, or null when the parameter declares no default (the member's default is then <c>default</c>).</summary>
    public static string? Of(IParameterSymbol parameter)
    {
        if (!parameter.HasExplicitDefaultValue)
        {
            return null;
        }

        var type = parameter.Type;
        var value = parameter.ExplicitDefaultValue;
        if (value is null)
        {
            // `= null` or `= default` of any type: what the generated constructor passes anyway.
            return null;
        }

        // Nullable<T>: the constant is a T (or the enum's underlying value).
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        var typeName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        var literal = Literal(value);
        return literal is null ? null : $"({typeName})({literal})";
    }

    private static string? Literal(object value) => value switch
    {
        string text => SymbolDisplay.FormatLiteral(text, quote: true),
        char c => SymbolDisplay.FormatLiteral(c, quote: true),
        bool b => b ? "true" : "false",
        float f => FloatLiteral(f),
        double d => DoubleLiteral(d),
        decimal m => m.ToString(CultureInfo.InvariantCulture) + "m",
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        ulong u => u.ToString(CultureInfo.InvariantCulture) + "UL",
        uint u => u.ToString(CultureInfo.InvariantCulture) + "U",
        int or short or ushort or byte or sbyte => Convert.ToString(value, CultureInfo.InvariantCulture),
        _ => null,
    };

    private static string FloatLiteral(float value) =>
        float.IsNaN(value) ? "float.NaN"
        : float.IsPositiveInfinity(value) ? "float.PositiveInfinity"
        : float.IsNegativeInfinity(value) ? "float.NegativeInfinity"
        : value.ToString("R", CultureInfo.InvariantCulture) + "f";

    private static string DoubleLiteral(double value) =>
        double.IsNaN(value) ? "double.NaN"
        : double.IsPositiveInfinity(value) ? "double.PositiveInfinity"
        : double.IsNegativeInfinity(value) ? "double.NegativeInfinity"
        : value.ToString("R", CultureInfo.InvariantCulture) + "d";
}
