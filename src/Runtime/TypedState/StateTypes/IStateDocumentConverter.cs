namespace TypedState;

/// <summary>Lets the store recognise a state type's serializer and reach its schema (see <see cref="StateSchema.Behind"/>).</summary>
internal interface IStateDocumentConverter
{
    /// <summary>The schema the converter writes and reads.</summary>
    StateSchema Schema { get; }
}
