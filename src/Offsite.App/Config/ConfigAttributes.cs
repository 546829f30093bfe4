namespace Offsite.App.Config;

/// <summary>The key must be present.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RequiredKeyAttribute : Attribute;

/// <summary>Overrides the snake_case key derived from the property name.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class KeyAttribute(string name) : Attribute
{
    public string Name => name;
}

/// <summary>One line of help shown with "allowed:" lists and in docs.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class HelpAttribute(string text) : Attribute
{
    public string Text => text;
}
