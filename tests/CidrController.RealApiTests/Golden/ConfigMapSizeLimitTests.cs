using System.Text;
using System.Text.Json.Nodes;

using CidrController.TestHarness;

namespace CidrController.RealApiTests.Golden;

/// <summary>
/// The one ConfigMap rule the golden recording leaves out (a recorded case would hold a megabyte of body): the
/// real server refuses more than 1 MiB of values with exactly the Status the emulator's ConfigMapTests expect.
/// </summary>
[Collection(RealControlPlaneCollection.Name)]
public sealed class ConfigMapSizeLimitTests(RealControlPlane controlPlane)
{
    [RealControlPlaneFact]
    public async Task Values_past_one_mebibyte_in_total_are_refused_with_a_422_naming_the_whole_object()
    {
        using var http = controlPlane.CreateHttpClient();
        var half = new string('x', 512 * 1024);

        var fits = await PostAsync(http, "c-size-fits", half + "\",\"b\":\"" + half);
        var tooLong = await PostAsync(http, "c-size-too-long", half + "\",\"b\":\"" + half + "x");

        Assert.Equal(201, fits.Status);
        Assert.Equal(422, tooLong.Status);
        Assert.Equal("""ConfigMap "c-size-too-long" is invalid: []: Too long: must have at most 1048576 bytes""", tooLong.Body["message"]!.ToString());
        var cause = Assert.Single(tooLong.Body["details"]!["causes"]!.AsArray());
        Assert.Equal(("FieldValueTooLong", "[]"), (cause!["reason"]!.ToString(), cause["field"]!.ToString()));
    }

    private static async Task<(int Status, JsonNode Body)> PostAsync(HttpClient http, string name, string data)
    {
        var body = $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}"},"data":{"a":"{{{data}}}"}}""";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("api/v1/namespaces/default/configmaps", UriKind.Relative), content);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }
}
