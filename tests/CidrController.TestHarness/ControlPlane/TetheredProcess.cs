using System.Diagnostics;
using System.Globalization;

namespace CidrController.TestHarness;

/// <summary>
/// A child process that cannot outlive the process that started it. .NET offers no <c>PR_SET_PDEATHSIG</c> between
/// fork and exec, so the child is launched as <c>/bin/sh -c '(watch the parent) &amp; exec binary'</c>: the shell
/// forks a small watcher, then replaces itself with the binary (so <see cref="Id"/> is the binary's own pid). The
/// watcher checks once a second that the parent is alive and SIGKILLs the binary when it is not (a test host killed
/// or crashed, where no Dispose runs); it leaves on its own once the binary is gone.
/// </summary>
public sealed class TetheredProcess : IDisposable
{
    // $1 = pid to outlive, $2 = log file, the rest = binary and arguments. $$ stays the binary's pid after exec.
    private const string Launcher =
        "parent=$1; log=$2; shift 2; " +
        "( while kill -0 \"$parent\" 2>/dev/null && kill -0 $$ 2>/dev/null; do sleep 1; done; " +
        "kill -0 $$ 2>/dev/null && kill -9 $$ ) </dev/null >/dev/null 2>&1 & " +
        "exec \"$@\" </dev/null >>\"$log\" 2>&1";

    private readonly Process _process;

    private TetheredProcess(Process process, string logPath)
    {
        _process = process;
        LogPath = logPath;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The binary's stdout and stderr (a file, so nothing blocks on a full pipe).</summary>
    public string LogPath { get; }

    /// <summary>Starts <paramref name="binary"/>; it is SIGKILLed within about a second of <paramref name="parentPid"/> (default: this process) going away.</summary>
    public static TetheredProcess Start(string binary, IEnumerable<string> arguments, string logPath, int? parentPid = null)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var argument in (string[])["-c", Launcher, "tethered", (parentPid ?? Environment.ProcessId).ToString(CultureInfo.InvariantCulture), logPath, binary, .. arguments])
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {binary}");
        return new TetheredProcess(process, logPath);
    }

    /// <summary>The last lines of the log, for a failure message.</summary>
    public string LogTail(int lines = 20)
    {
        try
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all[Math.Max(0, all.Length - lines)..]);
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    public async Task WaitForExitAsync(CancellationToken cancellationToken) =>
        await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>SIGKILLs the binary and its watcher (the whole tree under the pid) and waits for it.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
