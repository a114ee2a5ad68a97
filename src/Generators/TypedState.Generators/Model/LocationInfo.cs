using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace TypedState.Generators.Model;

/// <summary>A source location without the syntax tree, so it can sit in a cached pipeline model.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static LocationInfo? From(Location? location) =>
        location is { IsInSource: true } ? new LocationInfo(location.SourceTree!.FilePath, location.SourceSpan, location.GetLineSpan().Span) : null;

    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);
}
