using Docker.DotNet;
using Docker.DotNet.Unix;

namespace Offsite.Sources.Docker;

/// <summary>
/// Where the Docker Engine API listens: <c>DOCKER_HOST</c> when set (read through the caller's
/// environment function, never the process environment), else the default socket
/// <c>unix:///var/run/docker.sock</c>. A client is built per operation and disposed with it.
/// </summary>
public sealed record DockerEndpoint(Uri Uri)
{
    public const string DefaultSocket = "unix:///var/run/docker.sock";

    public static DockerEndpoint FromEnvironment(Func<string, string?> environment)
    {
        string text = environment("DOCKER_HOST") is { Length: > 0 } host ? host : DefaultSocket;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("unix" or "tcp" or "http"))
        {
            throw new Core.Errors.OffsiteException(Core.Errors.ErrorKind.Usage, $"DOCKER_HOST '{text}': expected unix:///path/to/docker.sock or tcp://host:port");
        }
        return new DockerEndpoint(uri);
    }

    /// <summary>True for a unix socket: the daemon runs on this machine, so its volume mountpoints may be readable here.</summary>
    public bool IsLocal => Uri.Scheme == "unix";

    public string Display => Uri.Scheme == "unix" ? "unix://" + Uri.AbsolutePath : Uri.GetLeftPart(UriPartial.Authority);

    public DockerClient Connect()
    {
        var builder = new DockerClientBuilder().WithEndpoint(Uri);
        return IsLocal ? builder.WithTransportOptions(new UnixSocketTransportOptions()).Build() : builder.Build();
    }
}
