using System.Reflection;
using System.Runtime.Loader;

namespace TypedState.Tool.Assemblies;

/// <summary>
/// Where the application's assembly is loaded: its own dependencies come from its folder as its <c>.deps.json</c>
/// names them, while TypedState and System.Text.Json come from the tool, so the application's state types are built
/// on the very <see cref="StateSchema"/> the tool's drivers and migrator use.
/// </summary>
internal sealed class AppLoadContext : AssemblyLoadContext
{
    // The assemblies whose types cross between the application's code and the tool's: one copy of each.
    private static readonly string[] s_shared =
        ["TypedState", "TypedState.Sqlite", "TypedState.Postgres", "TypedState.Redis", "System.Text.Json", "System.Text.Encodings.Web"];

    private readonly AssemblyDependencyResolver? _resolver;
    private readonly string _directory;

    public AppLoadContext(string mainAssemblyPath)
        : base($"typedstate: {Path.GetFileName(mainAssemblyPath)}")
    {
        _directory = Path.GetDirectoryName(mainAssemblyPath)!;
        try
        {
            _resolver = new AssemblyDependencyResolver(mainAssemblyPath);
        }
        catch (InvalidOperationException)
        {
            // No usable .deps.json (a bare build output): its folder is the only place to look.
            _resolver = null;
        }
    }

    /// <summary>Whether <paramref name="name"/> is taken from the tool rather than from the application's folder.</summary>
    public static bool IsShared(AssemblyName name) => s_shared.Contains(name.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The application's own copy of <paramref name="name"/>, when it ships one (not the framework's).</summary>
    public string? PathOf(AssemblyName name)
    {
        if (IsShared(name))
        {
            return null;
        }

        if (_resolver?.ResolveAssemblyToPath(name) is { } resolved)
        {
            return resolved;
        }

        var local = Path.Combine(_directory, name.Name + ".dll");
        return File.Exists(local) ? local : null;
    }

    protected override Assembly? Load(AssemblyName assemblyName) =>
        PathOf(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver?.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
}
