namespace CidrController.ApiEmulator.Tests.Emulator;

/// <summary>
/// ConfigMaps beyond what the golden recording holds (it holds create, get, current and stale updates, duplicates,
/// a missing namespace, bad keys and names): the 1 MiB limit, which a recording would make a megabyte large.
/// </summary>
public sealed class ConfigMapTests
{
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";

    [Fact]
    public async Task Values_past_one_mebibyte_in_total_are_refused_as_the_real_server_refuses_them()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        var half = new string('x', 512 * 1024);

        var fits = await ApiClient.SendAsync(client, "POST", ConfigMaps, $$$"""{"metadata":{"name":"fits"},"data":{"a":"{{{half}}}","b":"{{{half}}}"}}""");
        var tooLong = await ApiClient.SendAsync(client, "POST", ConfigMaps, $$$"""{"metadata":{"name":"too-long"},"data":{"a":"{{{half}}}","b":"{{{half}}}x"}}""");

        Assert.Equal(201, fits.Status);
        Assert.Equal(422, tooLong.Status);
        Assert.Equal("""ConfigMap "too-long" is invalid: []: Too long: must have at most 1048576 bytes""", tooLong.Body!["message"]!.ToString());
        var cause = Assert.Single(tooLong.Body["details"]!["causes"]!.AsArray());
        Assert.Equal(("FieldValueTooLong", "[]"), (cause!["reason"]!.ToString(), cause["field"]!.ToString()));
        Assert.Null(emulator.GetConfigMap("default", "too-long"));
    }

    [Fact]
    public async Task An_update_past_the_limit_is_refused_and_the_stored_object_kept()
    {
        await using var emulator = await KubeApiEmulator.StartAsync();
        using var client = emulator.CreateHttpClient();
        emulator.CreateConfigMap("default", "journal", new Dictionary<string, string> { ["pending.json"] = "[]" });

        var update = await ApiClient.SendAsync(client, "PUT", ConfigMaps + "/journal",
            $$$"""{"metadata":{"name":"journal"},"data":{"pending.json":"{{{new string('x', (1024 * 1024) + 1)}}}"}}""");

        Assert.Equal(422, update.Status);
        Assert.Equal("[]", emulator.GetConfigMap("default", "journal")!["data"]!["pending.json"]!.ToString());
    }
}
