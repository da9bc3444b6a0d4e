using System.Text.RegularExpressions;

using CidrController.TestHarness;

namespace CidrController.ChaosTests;

/// <summary>
/// One replica slot of the controller: the current process (restarted after every SIGKILL), the identities its
/// lives used, and any life that ended without being killed — a crash or a crash-loop.
/// </summary>
internal sealed partial class ControllerReplica : IAsyncDisposable
{
    private readonly string[] _arguments;
    private readonly Action<string>? _onLine;
    private readonly List<string> _unexpectedExits = [];
    private ControllerProcess? _process;

    /// <param name="onLine">Sees every line every life writes (a killed life's output is gone with it).</param>
    public ControllerReplica(string name, string[] arguments, Action<string>? onLine = null)
    {
        Name = name;
        _arguments = arguments;
        _onLine = onLine;
    }

    public string Name { get; }

    public ControllerProcess? Process => _process;

    public bool Running => _process is { HasExited: false };

    public int Lives { get; private set; }

    public IReadOnlyList<string> UnexpectedExits => _unexpectedExits;

    /// <summary>The leader-election identity of the current life (from its first log lines), or null before it is known.</summary>
    public string? Identity => _process is null ? null : IdentityIn(_process.Output);

    public void Start()
    {
        Lives++;
        _process = ControllerProcess.Start(_arguments, _onLine);
    }

    /// <summary>Records a life that ended by itself since the last check (the controller must never do that).</summary>
    public void CheckAlive()
    {
        if (_process is { HasExited: true } exited)
        {
            var tail = string.Join('\n', exited.Output.Split('\n').TakeLast(15));
            _unexpectedExits.Add($"{Name} life {Lives} exited with code {exited.ExitCode}:\n{tail}");
            _process = null;
        }
    }

    public void Kill()
    {
        CheckAlive();
        _process?.Kill();
        _process = null;
    }

    public async Task<int> StopAsync()
    {
        CheckAlive();
        if (_process is null)
        {
            return 0;
        }

        var code = await _process.StopAsync(TimeSpan.FromSeconds(20));
        _process = null;
        return code;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    public static string? IdentityIn(string output)
    {
        var match = CandidateLine().Match(output);
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"Leader election: (\S+) is a candidate for lease")]
    private static partial Regex CandidateLine();
}
