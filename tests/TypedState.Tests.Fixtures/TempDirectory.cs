namespace TypedState.Tests.Fixtures;

/// <summary>A fresh folder under the system temp path, deleted with everything in it on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "typedstate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>A connection string for a database file in this folder.</summary>
    public string ConnectionString(string fileName = "state.db") => $"Data Source={System.IO.Path.Combine(Path, fileName)}";

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open elsewhere (Windows only); the temp folder is cleaned by the system eventually.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
