using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;

namespace TypedState.Distribution.Tests.Packages;

/// <summary>Reads what a debugger reads: the SourceLink map of a portable pdb, and which pdb an assembly asks for.</summary>
internal static class PdbSourceLink
{
    /// <summary>The custom debug information kind of SourceLink (Portable PDB specification).</summary>
    private static readonly Guid s_sourceLink = new("CC110556-A091-4D38-9FEC-25AB9A351A6A");

    /// <summary>The SourceLink JSON of a portable pdb, or null when it has none.</summary>
    public static string? Read(byte[] pdb)
    {
        using var provider = MetadataReaderProvider.FromPortablePdbImage([.. pdb]);
        return Read(provider.GetMetadataReader());
    }

    /// <summary>The SourceLink JSON of the pdb embedded in an assembly, or null when it embeds none or the pdb has no map.</summary>
    public static string? ReadEmbedded(byte[] assembly)
    {
        using var pe = new PEReader([.. assembly]);
        var entry = pe.ReadDebugDirectory().FirstOrDefault(e => e.Type == DebugDirectoryEntryType.EmbeddedPortablePdb);
        if (entry.Type != DebugDirectoryEntryType.EmbeddedPortablePdb)
        {
            return null;
        }

        using var provider = pe.ReadEmbeddedPortablePdbDebugDirectoryData(entry);
        return Read(provider.GetMetadataReader());
    }

    /// <summary>Whether <paramref name="pdb"/> is the one <paramref name="assembly"/> was built with (same id).</summary>
    public static bool Matches(byte[] assembly, byte[] pdb)
    {
        using var pe = new PEReader([.. assembly]);
        var codeView = pe.ReadDebugDirectory().First(e => e.Type == DebugDirectoryEntryType.CodeView);
        using var provider = MetadataReaderProvider.FromPortablePdbImage([.. pdb]);
        var id = new BlobContentId(provider.GetMetadataReader().DebugMetadataHeader!.Id);
        return pe.ReadCodeViewDebugDirectoryData(codeView).Guid == id.Guid;
    }

    private static string? Read(MetadataReader reader)
    {
        foreach (var handle in reader.GetCustomDebugInformation(EntityHandle.ModuleDefinition))
        {
            var information = reader.GetCustomDebugInformation(handle);
            if (reader.GetGuid(information.Kind) == s_sourceLink)
            {
                return Encoding.UTF8.GetString(reader.GetBlobBytes(information.Value));
            }
        }

        return null;
    }
}
