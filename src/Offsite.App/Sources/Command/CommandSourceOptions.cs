using Offsite.App.Config;
using Offsite.Sources.Command;

namespace Offsite.App.Sources.Command;

/// <summary><c>type: command</c>: a program's standard output as one file; a non-zero exit leaves no snapshot.</summary>
public sealed class CommandSourceOptions : SourceOptions
{
    [RequiredKey, Help("the program and its arguments, as a list (no shell)")]
    public List<string> Command { get; set; } = new();
    [Help("the file name in the snapshot (default: the program's name)")]
    public string? FileName { get; set; }
    [Help("the snapshot's source name (default: the file name)")]
    public string? Name { get; set; }

    public override SourcePlan Plan(SourceContext context) =>
        SourcePlan.ForStreams(new CommandStreamSource(Command, FileName, Name));
}
