using System.Diagnostics;

using CidrController.TestHarness;

namespace CidrController.RealApiTests.ControlPlane;

public sealed class TetheredProcessTests
{
    [Fact]
    public async Task The_child_is_killed_when_the_process_it_is_tethered_to_dies_without_cleaning_up()
    {
        // A stand-in for a test host that crashes: SIGKILLed, so no Dispose runs.
        using var standIn = Process.Start("sleep", "600");
        var log = Path.GetTempFileName();
        using var child = TetheredProcess.Start("sleep", ["600"], log, standIn.Id);

        standIn.Kill();
        await standIn.WaitForExitAsync();

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await child.WaitForExitAsync(timeout.Token);
        Assert.True(child.HasExited);
        File.Delete(log);
    }

    [Fact]
    public async Task The_child_runs_while_the_process_it_is_tethered_to_lives_and_its_pid_is_the_binary_itself()
    {
        var log = Path.GetTempFileName();
        using var child = TetheredProcess.Start("sleep", ["600"], log);

        await Task.Delay(TimeSpan.FromSeconds(2.5)); // more than two of the watcher's checks
        Assert.False(child.HasExited);
        Assert.Equal("sleep", File.ReadAllText($"/proc/{child.Id}/comm").Trim());

        child.Kill();
        Assert.True(child.HasExited);
        File.Delete(log);
    }
}
