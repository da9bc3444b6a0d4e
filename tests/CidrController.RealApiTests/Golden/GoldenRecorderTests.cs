using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using CidrController.TestHarness;

namespace CidrController.RealApiTests.Golden;

/// <summary>
/// Records <see cref="ControllerGoldenCases"/> against a fresh real control plane, in the format the emulator's
/// golden replay reads. Every run checks that the real server still answers each case with the status the
/// repository's recording holds; with GOLDEN_RECORD_DIR set it also writes controller-cases.json there (to
/// re-record, e.g. for another Kubernetes version: point KUBEBUILDER_ASSETS at it and copy the file into
/// tests/CidrController.ApiEmulator.Tests/Golden).
/// </summary>
public sealed class GoldenRecorderTests
{
    public const string OutputVariable = "GOLDEN_RECORD_DIR";
    private const string FileName = "controller-cases.json";

    [RealControlPlaneFact]
    public async Task The_real_server_answers_every_recorded_case_as_the_repositorys_recording_says()
    {
        // Its own control plane: the recording starts from a fresh cluster, untouched by other tests.
        using var controlPlane = await RealControlPlane.StartAsync();
        using var http = controlPlane.CreateHttpClient();
        var version = JsonNode.Parse(await http.GetStringAsync(new Uri("version", UriKind.Relative)))!["gitVersion"]!.ToString();
        var cases = new JsonArray();
        foreach (var goldenCase in ControllerGoldenCases.All)
        {
            cases.Add(await RecordAsync(http, goldenCase, cases));
        }

        var recording = new JsonObject
        {
            ["server"] = $"kube-apiserver {version}",
            ["note"] = "Recorded in order against a fresh cluster by RealApiTests' GoldenRecorderTests; uid, timestamps, resourceVersion are volatile.",
            ["cases"] = cases,
        };
        if (Environment.GetEnvironmentVariable(OutputVariable) is { Length: > 0 } directory)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, FileName), recording.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        }

        var committed = Path.Combine(KubeBinaries.RepositoryRoot()!, "tests", "CidrController.ApiEmulator.Tests", "Golden", FileName);
        var expected = JsonNode.Parse(await File.ReadAllTextAsync(committed))!["cases"]!.AsArray();
        var mismatches = new StringBuilder();
        foreach (var recorded in cases)
        {
            var name = recorded!["name"]!.ToString();
            var inRepository = expected.FirstOrDefault(c => c!["name"]!.ToString() == name);
            var want = inRepository?["response"]?["status"]?.GetValue<int>();
            var got = recorded["response"]!["status"]!.GetValue<int>();
            if (want != got)
            {
                mismatches.AppendLine($"{name}: recording says {want?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"}, {version} answers {got}");
            }
        }

        Assert.True(mismatches.Length == 0, $"re-record with {OutputVariable}:\n{mismatches}");
    }

    private static async Task<JsonObject> RecordAsync(HttpClient http, GoldenCase goldenCase, JsonArray recorded)
    {
        var body = goldenCase.Body?.DeepClone();
        if (goldenCase.ResourceVersionOf is { } earlier)
        {
            var answer = recorded.Single(c => c!["name"]!.ToString() == earlier)!["response"]!["body"]!;
            body!["metadata"]!["resourceVersion"] = answer["metadata"]!["resourceVersion"]!.ToString();
        }

        using var request = new HttpRequestMessage(new HttpMethod(goldenCase.Method), new Uri(goldenCase.Path.TrimStart('/'), UriKind.Relative));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(goldenCase.ContentType ?? "application/json");
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new JsonObject
        {
            ["name"] = goldenCase.Name,
            ["doc"] = goldenCase.Doc,
            ["request"] = new JsonObject
            {
                ["method"] = goldenCase.Method,
                ["path"] = goldenCase.Path,
                ["contentType"] = goldenCase.ContentType,
                ["body"] = body,
            },
            ["response"] = new JsonObject
            {
                ["status"] = (int)response.StatusCode,
                ["contentType"] = response.Content.Headers.ContentType?.MediaType,
                ["body"] = text.Length == 0 ? null : JsonNode.Parse(text),
            },
        };
    }
}
