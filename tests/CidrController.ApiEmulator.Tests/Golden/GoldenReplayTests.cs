using System.Text;
using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Tests.Golden;

/// <summary>
/// The fidelity guard: every case recorded from a real kube-apiserver v1.26.4 must come out the same from the
/// emulator (status, Status reason/code/causes, Node podCIDR fields, watch event sequences — in fact the whole
/// body minus volatile fields). Each file is replayed in order against a fresh emulator; all mismatches are
/// reported together.
/// </summary>
public sealed class GoldenReplayTests
{
    [Theory]
    [InlineData(GoldenFile.FileName, 40)]
    [InlineData(GoldenFile.ControllerCasesFileName, 30)]
    public async Task EveryRecordedCaseMatches(string fileName, int minimumCases)
    {
        var cases = GoldenFile.LoadCases(fileName);
        Assert.True(cases.Count >= minimumCases, $"{fileName} has only {cases.Count} cases; was it truncated?");

        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        var replayer = new GoldenReplayer(emulator, client);
        var report = new StringBuilder();
        var failed = 0;
        foreach (var goldenCase in cases)
        {
            var obj = goldenCase!.AsObject();
            List<string> differences;
            try
            {
                differences = await replayer.ReplayAsync(obj);
            }
            catch (Exception e) when (e is InvalidOperationException or HttpRequestException or System.Text.Json.JsonException)
            {
                differences = [$"replay failed: {e.Message}"];
            }

            if (differences.Count > 0)
            {
                failed++;
                report.AppendLine($"--- {obj["name"]} ({obj["request"]!["method"]} {obj["request"]!["path"]}): {obj["doc"]}");
                foreach (var difference in differences)
                {
                    report.AppendLine("    " + difference);
                }
            }
        }

        Assert.True(failed == 0, $"{failed} of {cases.Count} golden cases differ from the real API server:\n{report}");
    }

    [Fact]
    public void GoldenFileIsFoundFromTheTestAssembly()
    {
        var path = GoldenFile.Locate();
        Assert.True(File.Exists(path));
        var root = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.StartsWith("kube-apiserver v1.26", root["server"]!.ToString(), StringComparison.Ordinal);
    }
}
