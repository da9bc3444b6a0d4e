using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Tests.Golden;

/// <summary>
/// Loads the recordings of a real kube-apiserver that live next to this file (copied beside the test assembly by
/// the build). KUBE_API_GOLDEN_DIR points at another directory of recordings, e.g. ones re-recorded against
/// another Kubernetes version. A missing file is a failure, never a skip: these files guard the emulator's fidelity.
/// </summary>
internal static class GoldenFile
{
    /// <summary>The first recording (nodes, events, leases).</summary>
    public const string FileName = "nodes-events-leases.json";

    /// <summary>Cases recorded later by the real-server recorder: where the emulator was found to differ, and more of what the controller relies on.</summary>
    public const string ControllerCasesFileName = "controller-cases.json";

    public const string EnvironmentVariable = "KUBE_API_GOLDEN_DIR";

    public static string Locate(string fileName = FileName)
    {
        var directory = Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : Path.Combine(AppContext.BaseDirectory, "Golden");
        var file = Path.Combine(directory, fileName);
        return File.Exists(file)
            ? file
            : throw new FileNotFoundException($"The golden API recording {file} does not exist (it is part of the repository, copied by the build).");
    }

    public static JsonArray LoadCases(string fileName = FileName)
    {
        var root = JsonNode.Parse(File.ReadAllText(Locate(fileName)))!.AsObject();
        return root["cases"]!.AsArray();
    }
}
