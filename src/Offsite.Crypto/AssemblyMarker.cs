namespace Offsite.Crypto;
internal static class AssemblyMarker { }
