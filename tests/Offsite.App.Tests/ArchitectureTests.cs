using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Offsite.App.Tests;

/// <summary>
/// The layering rules, checked on the compiled assemblies: Core and Storage never touch the
/// console or the process environment (front ends hand them a RuntimeContext), and Core depends
/// on no layer above it.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly string[] Forbidden = ["System.Console", "System.Environment"];

    /// <summary>What the compiler itself emits for async iterators; not a use of the environment.</summary>
    private static readonly string[] CompilerEmitted = ["System.Environment::get_CurrentManagedThreadId"];

    public static TheoryData<string> Lower => new() { "Offsite.Core", "Offsite.Storage" };

    [Theory]
    [MemberData(nameof(Lower))]
    public void Core_and_storage_never_reference_the_console_or_the_environment(string assembly)
    {
        var members = ReferencedMembers(assembly);
        Assert.Contains("System.Threading.CancellationToken::get_IsCancellationRequested", members); // the check reads real metadata
        var uses = members.Where(m => Forbidden.Any(t => m.StartsWith(t + "::", StringComparison.Ordinal)) && !CompilerEmitted.Contains(m)).ToList();
        Assert.Empty(uses);
    }

    [Fact]
    public void Core_references_no_layer_above_it()
    {
        var refs = Assembly.Load("Offsite.Core").GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.Contains("Offsite.Crypto", refs);
        foreach (string upper in new[] { "Offsite.App", "offsite", "Offsite.Cli", "Offsite.Storage", "Offsite.Sources", "Offsite.Server" })
        {
            Assert.DoesNotContain(upper, refs);
        }
    }

    /// <summary>Every member of another assembly the IL refers to, as Namespace.Type::Member.</summary>
    private static HashSet<string> ReferencedMembers(string assemblyName)
    {
        string path = Path.Combine(AppContext.BaseDirectory, assemblyName + ".dll");
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var handle in md.MemberReferences)
        {
            var member = md.GetMemberReference(handle);
            if (member.Parent.Kind != HandleKind.TypeReference) continue;
            var t = md.GetTypeReference((TypeReferenceHandle)member.Parent);
            names.Add($"{md.GetString(t.Namespace)}.{md.GetString(t.Name)}::{md.GetString(member.Name)}");
        }
        return names;
    }
}
