using System.CommandLine;
using System.Reflection;

namespace TypedState.Tool.Assemblies;

/// <summary>
/// The application's state types, read from its built assembly: every <c>GeneratedStateTypes.All</c> the TypedState
/// generator emitted into it and into the assemblies of its own that reference TypedState.
/// </summary>
internal static class AppAssembly
{
    private const string RegistryClass = "GeneratedStateTypes";
    private const string RegistryProperty = "All";

    /// <summary>The <c>--assembly</c> option, required by <c>migrate</c> and optional for <c>status</c>.</summary>
    public static Option<FileInfo> CreateOption(bool required) => new("--assembly")
    {
        Description = "The application's built assembly (or a library holding its state types), e.g. bin/Release/net10.0/App.dll.",
        Required = required,
    };

    /// <summary>Loads the state types of <paramref name="file"/>, checked as the application registers them.</summary>
    /// <exception cref="ToolException">The file is missing, not a .NET assembly, built against another TypedState, or holds no state types.</exception>
    public static IReadOnlyList<StateSchema> LoadSchemas(FileInfo file)
    {
        if (!file.Exists)
        {
            throw new ToolException(ExitCodes.Usage, $"The assembly '{file.FullName}' does not exist.");
        }

        var context = new AppLoadContext(file.FullName);
        Assembly main;
        try
        {
            main = context.LoadFromAssemblyPath(file.FullName);
        }
        catch (BadImageFormatException)
        {
            throw new ToolException(ExitCodes.Usage, $"'{file.FullName}' is not a .NET assembly.");
        }

        EnsureCompatible(main, file);
        var registry = new StateTypeRegistry();
        foreach (var assembly in WithStateTypeLibraries(main, context))
        {
            foreach (var schema in SchemasOf(assembly, file))
            {
                try
                {
                    registry.Add(schema);
                }
                catch (InvalidOperationException exception)
                {
                    throw new ToolException(ExitCodes.Usage, $"{file.Name}: {exception.Message}");
                }
            }
        }

        return registry.Schemas.Count > 0
            ? registry.Schemas
            : throw new ToolException(ExitCodes.Usage, $"'{file.FullName}' holds no state types: no {RegistryClass} class, which the TypedState generator writes into an assembly with [AgentState], [GuildState] or [GlobalState] types.");
    }

    /// <summary>Refuses an assembly built against a TypedState the tool cannot stand in for: another major version, or a newer one.</summary>
    private static void EnsureCompatible(Assembly main, FileInfo file)
    {
        var tool = typeof(StateSchema).Assembly.GetName();
        foreach (var reference in main.GetReferencedAssemblies())
        {
            if (reference.Name == tool.Name && reference.Version is { } version && tool.Version is { } ours
                && (version.Major != ours.Major || version > ours))
            {
                throw new ToolException(ExitCodes.Usage, $"{file.Name} was built against TypedState {version}; this typedstate carries TypedState {ours}. Use the tool of the application's version (dotnet tool update TypedState.Tool --version {version.ToString(3)}).");
            }
        }
    }

    /// <summary>The main assembly, then every assembly of the application's own (not the framework's) that references TypedState.</summary>
    private static List<Assembly> WithStateTypeLibraries(Assembly main, AppLoadContext context)
    {
        var found = new List<Assembly> { main };
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { main.GetName().Name! };
        var pending = new Queue<Assembly>([main]);
        while (pending.TryDequeue(out var assembly))
        {
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (!seen.Add(reference.Name!) || context.PathOf(reference) is null)
                {
                    continue;
                }

                Assembly loaded;
                try
                {
                    loaded = context.LoadFromAssemblyName(reference);
                }
                catch (Exception exception) when (exception is FileNotFoundException or FileLoadException or BadImageFormatException)
                {
                    continue;
                }

                pending.Enqueue(loaded);
                if (loaded.GetReferencedAssemblies().Any(r => r.Name == nameof(TypedState)))
                {
                    found.Add(loaded);
                }
            }
        }

        return found;
    }

    private static IEnumerable<StateSchema> SchemasOf(Assembly assembly, FileInfo file)
    {
        // The generator writes the class internal (or public, in older builds): look for both.
        foreach (var type in TypesOf(assembly).Where(t => t is { Name: RegistryClass, IsAbstract: true, IsSealed: true }))
        {
            var property = type.GetProperty(RegistryProperty, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static);
            object? value;
            try
            {
                value = property?.GetValue(null);
            }
            catch (TargetInvocationException exception)
            {
                throw new ToolException(ExitCodes.Usage, $"The state types of {assembly.GetName().Name} could not be read ({exception.InnerException?.Message}); was {file.Name} built against another TypedState version?");
            }

            if (value is not IEnumerable<StateSchema> schemas)
            {
                throw new ToolException(ExitCodes.Usage, $"{type.FullName}.{RegistryProperty} of {assembly.GetName().Name} is not a list of TypedState schemas this tool knows; was {file.Name} built against another TypedState version?");
            }

            foreach (var schema in schemas)
            {
                yield return schema;
            }
        }
    }

    private static IEnumerable<Type> TypesOf(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException exception)
        {
            // Types needing a dependency that is not there: the registry class needs only TypedState.
            return exception.Types.OfType<Type>();
        }
    }
}
