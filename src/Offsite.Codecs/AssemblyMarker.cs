namespace Offsite.Codecs;
internal static class AssemblyMarker { }
