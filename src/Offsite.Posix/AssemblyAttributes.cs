using System.Runtime.CompilerServices;

// Every native buffer here (stat structs, NUL-terminated paths, getdents buffers) is fully
// written before it is read, so zeroing stackalloc'd memory would be wasted work on hot paths.
[module: SkipLocalsInit]
