namespace Offsite.Core;
internal static class AssemblyMarker { }
