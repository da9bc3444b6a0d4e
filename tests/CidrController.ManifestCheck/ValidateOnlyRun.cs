using System.Diagnostics;

using k8s.Models;

namespace CidrController.ManifestCheck;

/// <summary>Runs the built controller with the Deployment's container args plus --validate-only: the chart must render flags the binary accepts.</summary>
public static class ValidateOnlyRun
{
    public static async Task<IEnumerable<string>> CheckAsync(string controller, V1Deployment deployment)
    {
        var args = deployment.Spec.Template.Spec.Containers.Single().Args ?? [];
        var info = controller.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            ? new ProcessStartInfo("dotnet", [controller, .. args, "--validate-only"])
            : new ProcessStartInfo(controller, [.. args, "--validate-only"]);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {controller}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode == 0 && (await stdout.ConfigureAwait(false)).Contains("capacity plan", StringComparison.Ordinal))
        {
            return [];
        }

        return [$"cidr-controller --validate-only {string.Join(' ', args)} exited {process.ExitCode}: {(await stderr.ConfigureAwait(false)).Trim()}"];
    }
}
