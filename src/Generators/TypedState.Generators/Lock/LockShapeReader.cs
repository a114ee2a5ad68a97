using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using TypedState.Generators.Model;

namespace TypedState.Generators.Lock;

/// <summary>
/// Turns the generated types' models into schema lock entries: one path per stored member, nested objects, elements
/// (<c>[]</c>), dictionary values (<c>{}</c>) and derived types (<c>&lt;discriminator&gt;</c>) followed down. Only the
/// models are read (JSON names and shapes), never symbols, so the entries are cached with them.
/// </summary>
internal sealed class LockShapeReader
{
    private readonly Dictionary<string, StateTypeModel> _parts;
    private readonly List<LockPath> _paths = [];
    private readonly HashSet<string> _descending = [];

    private LockShapeReader(Dictionary<string, StateTypeModel> parts) => _parts = parts;

    /// <summary>The entries of every state type (not parts: they are stored inside state types), sorted by id.</summary>
    public static LockShapes Read(ImmutableArray<StateTypeResult> results)
    {
        var models = results.Where(r => r.Model is not null).Select(r => r.Model!).ToList();
        var parts = new Dictionary<string, StateTypeModel>();
        foreach (var model in models)
        {
            parts[model.Type.FullName] = model;
        }

        var entries = models
            .Where(m => m.Schema is not null)
            .Select(m => new LockShapeReader(parts).Entry(m))
            .OrderBy(e => e.Id, System.StringComparer.Ordinal)
            .ToEquatableArray();
        return new LockShapes(entries, results.All(r => r.Model is not null));
    }

    /// <summary>The id of a state type's entry: its scope and its key, as records are found.</summary>
    public static string IdOf(StateTypeModel model) =>
        model.Kind.ToString().ToLowerInvariant() + "/" + model.Schema!.Key;

    private LockEntry Entry(StateTypeModel model)
    {
        _descending.Add(model.Type.FullName);
        Members(string.Empty, model.Members, model.Reached);
        Derived(string.Empty, model.Polymorphism, model.Reached);
        _paths.Sort();
        return new LockEntry(IdOf(model), model.Type.Name, model.Schema!.Version, _paths.ToEquatableArray());
    }

    private void Members(string prefix, EquatableArray<MemberModel> members, EquatableArray<ReachedTypeModel> reached)
    {
        foreach (var member in members)
        {
            var path = prefix.Length == 0 ? member.JsonName : prefix + "." + member.JsonName;
            Shape(path, member.Type, reached, member.Required ? "required " : string.Empty);
        }
    }

    private void Shape(string path, TypeShape shape, EquatableArray<ReachedTypeModel> reached, string prefix, string suffix = "")
    {
        switch (shape.Kind)
        {
            case ShapeKind.Nullable:
                Shape(path, shape.Element!, reached, prefix, "?");
                return;
            case ShapeKind.Array or ShapeKind.List or ShapeKind.Set:
                Add(path, prefix + "array" + suffix);
                Shape(path + "[]", shape.Element!, reached, string.Empty);
                return;
            case ShapeKind.Dictionary:
                Add(path, prefix + (shape.Key is null ? "map" : "map<" + Kind(shape.Key) + ">") + suffix);
                Shape(path + "{}", shape.Element!, reached, string.Empty);
                return;
            case ShapeKind.Part when _parts.TryGetValue(shape.TypeName, out var part):
                Object(path, shape.TypeName, part.Polymorphism, part.IsAbstract, part.Members, part.Reached, prefix, suffix);
                return;
            case ShapeKind.Reached:
                var type = reached[shape.Reached];
                Object(path, type.FullName, type.Polymorphism, type.IsAbstract, type.Members, reached, prefix, suffix);
                return;
            default:
                Add(path, prefix + Kind(shape) + suffix);
                return;
        }
    }

    /// <summary>A nested object, followed down unless it is already being followed (a type that holds itself).</summary>
    private void Object(
        string path,
        string typeName,
        PolymorphismModel? polymorphism,
        bool isAbstract,
        EquatableArray<MemberModel> members,
        EquatableArray<ReachedTypeModel> reached,
        string prefix,
        string suffix)
    {
        Add(path, prefix + (polymorphism is null ? "object" : "polymorphic(" + polymorphism.PropertyName + ")") + suffix);
        if (!_descending.Add(typeName))
        {
            return;
        }

        if (!isAbstract)
        {
            Members(path, members, reached);
        }

        Derived(path, polymorphism, reached);
        _descending.Remove(typeName);
    }

    /// <summary>Each derived type written with a discriminator, at <c>path&lt;discriminator&gt;</c>.</summary>
    private void Derived(string path, PolymorphismModel? polymorphism, EquatableArray<ReachedTypeModel> reached)
    {
        foreach (var derived in polymorphism?.Derived ?? EquatableArray<DerivedTypeModel>.Empty)
        {
            if (derived.Discriminator is null)
            {
                continue;
            }

            var type = reached[derived.Reached];
            Object($"{path}<{derived.Discriminator}>", type.FullName, type.Polymorphism, type.IsAbstract, type.Members, reached, string.Empty, string.Empty);
        }
    }

    private void Add(string path, string kind) => _paths.Add(new LockPath(path, kind));

    /// <summary>The kind of a value that is not followed down: a primitive, an enum, another assembly's part, a context's type.</summary>
    private static string Kind(TypeShape shape) => shape.Kind switch
    {
        ShapeKind.Primitive => PrimitiveKind(shape),
        ShapeKind.Enum => shape.AsString ? "enum-string" : "enum-number",
        ShapeKind.Nullable => Kind(shape.Element!) + "?",
        ShapeKind.Part => "object:" + ShortName(shape.TypeName),
        _ => "external:" + ShortName(shape.TypeName),
    };

    private static string PrimitiveKind(TypeShape shape) => shape.Primitive switch
    {
        Primitive.Byte => "uint8",
        Primitive.SByte => "int8",
        Primitive.Single => "float32",
        Primitive.Double => "float64",
        Primitive.Half => "float16",
        Primitive.Bytes => "base64",
        Primitive.DateOnly => "date",
        Primitive.TimeOnly => "time",
        Primitive.JsonElement => "json",
        Primitive.JsonNode => ShortName(shape.TypeName) switch
        {
            "System.Text.Json.Nodes.JsonObject" => "json-object",
            "System.Text.Json.Nodes.JsonArray" => "json-array",
            "System.Text.Json.Nodes.JsonValue" => "json-value",
            _ => "json",
        },
        _ => shape.Primitive.ToString().ToLower(CultureInfo.InvariantCulture),
    };

    private static string ShortName(string typeName) => typeName.Replace("global::", string.Empty).TrimEnd('?');
}
