using System.Diagnostics;

namespace CidrController.Tests.CommandLine;

/// <summary>Runs the built <c>cidr-controller.dll</c> (copied next to the tests by the project reference) as a real process.</summary>
internal static class CidrControllerBinary
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public static async Task<ProcessOutcome> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "cidr-controller.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"cidr-controller {string.Join(' ', args)} did not exit within {Timeout}");
        }

        return new ProcessOutcome(process.ExitCode, await stdout, await stderr);
    }
}
