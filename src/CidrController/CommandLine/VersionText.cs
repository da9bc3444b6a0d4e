using System.Reflection;

namespace CidrController.CommandLine;

/// <summary>What <c>--version</c> prints: <c>cidr-controller &lt;informational version&gt;</c>.</summary>
internal static class VersionText
{
    public static string Line()
    {
        var assembly = typeof(VersionText).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "unknown";
        return "cidr-controller " + version;
    }
}
