using CidrController.Kubernetes.Configuration;

namespace CidrController.CommandLine;

/// <summary>How the process logs, plus the flag kept only for kube-controller-manager compatibility.</summary>
internal sealed class ProcessFlags
{
    private static readonly CommandLineSettings Defaults = new() { Controller = new ControllerOptions() };

    private Flag<bool> _configureCloudRoutes = null!;
    private Flag<LogFormat> _logFormat = null!;
    private Flag<int> _verbosity = null!;

    public void AddFlags(FlagSet flags)
    {
        _configureCloudRoutes = flags.Bool("--configure-cloud-routes", Defaults.ConfigureCloudRoutes,
            "Accepted for kube-controller-manager compatibility; there is no cloud provider, so no routes are configured.");
        _logFormat = flags.Add(new Flag<LogFormat>("--log-format", null, "string", Defaults.LogFormat, Name(Defaults.LogFormat),
            "Log format: text, or json (one object per line: ts, level, v, logger, msg, err and the structured fields).", ParseLogFormat));
        _verbosity = flags.Int("--v", Defaults.Verbosity,
            "Log verbosity: 0-1 warnings and errors; 2-3 also startup and capacity summary, one line per allocation, watch and leader changes; 4-5 debug; 6+ HTTP traces.",
            FlagSyntax.Between(0, int.MaxValue), shorthand: 'v');
    }

    public CommandLineSettings ApplyTo(CommandLineSettings settings) => settings with
    {
        ConfigureCloudRoutes = _configureCloudRoutes.Value,
        LogFormat = _logFormat.Value,
        Verbosity = _verbosity.Value,
    };

    private static string Name(LogFormat format) => format.ToString().ToLowerInvariant();

    private static LogFormat ParseLogFormat(Flag flag, string value) => value.ToLowerInvariant() switch
    {
        "text" => LogFormat.Text,
        "json" => LogFormat.Json,
        _ => throw FlagException.InvalidValue(flag, value, "must be text or json"),
    };
}
