using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Tests.Golden;

/// <summary>
/// Finds and loads ../shared/kube-api-golden/nodes-events-leases.json. The repository is checked out at
/// &lt;X&gt;/main (or a CI clone at &lt;X&gt;/&lt;dir&gt;) with the shared folder at &lt;X&gt;/shared, so we walk up from the
/// test assembly; KUBE_API_GOLDEN_DIR overrides. Not finding it is a failure, never a skip: this file guards
/// the emulator's fidelity.
/// </summary>
internal static class GoldenFile
{
    public const string FileName = "nodes-events-leases.json";
    public const string EnvironmentVariable = "KUBE_API_GOLDEN_DIR";

    public static string Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            var file = Path.Combine(fromEnvironment, FileName);
            return File.Exists(file)
                ? file
                : throw new FileNotFoundException($"{EnvironmentVariable}={fromEnvironment} but {file} does not exist.");
        }

        var searched = new List<string>();
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "kube-api-golden", FileName);
            searched.Add(candidate);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(
            $"The golden API recording {FileName} was not found. Set {EnvironmentVariable} to the kube-api-golden directory, " +
            "or place the shared folder next to the repository root. Searched:\n  " + string.Join("\n  ", searched));
    }

    public static JsonArray LoadCases()
    {
        var root = JsonNode.Parse(File.ReadAllText(Locate()))!.AsObject();
        return root["cases"]!.AsArray();
    }
}
