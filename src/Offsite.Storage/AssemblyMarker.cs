namespace Offsite.Storage;
internal static class AssemblyMarker { }
