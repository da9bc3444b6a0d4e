using System.Globalization;

using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;
using Serilog.Formatting.Json;

namespace CidrController.Logging;

/// <summary>
/// <c>--log-format=json</c>: one JSON object per line with the keys klog's JSON output uses — <c>ts</c> (Unix
/// seconds, millisecond precision), <c>v</c> (the verbosity an Information/Debug/Verbose line needs), <c>logger</c>,
/// <c>msg</c> (rendered), <c>err</c> (an exception) — plus <c>level</c> on every line (klog only marks errors;
/// log pipelines want a level), then the event's structured fields under their own names.
/// Serilog's compact formatters omit the level of Information events, which is why this one exists.
/// </summary>
internal sealed class KlogJsonFormatter : ITextFormatter
{
    private const string LoggerProperty = "SourceContext";
    private static readonly JsonValueFormatter Values = new(typeTagName: null);

    // The message as the text format renders it: string fields unquoted, structures as JSON.
    private static readonly MessageTemplateTextFormatter Message = new("{Message:lj}", CultureInfo.InvariantCulture);

    public void Format(LogEvent logEvent, TextWriter output)
    {
        output.Write("{\"ts\":");
        output.Write((logEvent.Timestamp.ToUnixTimeMilliseconds() / 1000m).ToString("0.000", CultureInfo.InvariantCulture));
        Field(output, "level", Level(logEvent.Level));
        if (Verbosity(logEvent.Level) is { } v)
        {
            output.Write(",\"v\":");
            output.Write(v.ToString(CultureInfo.InvariantCulture));
        }

        if (logEvent.Properties.TryGetValue(LoggerProperty, out var logger) && logger is ScalarValue { Value: string name })
        {
            Field(output, "logger", name);
        }

        using var message = new StringWriter(CultureInfo.InvariantCulture);
        Message.Format(logEvent, message);
        Field(output, "msg", message.ToString());
        if (logEvent.Exception is { } exception)
        {
            Field(output, "err", exception.ToString());
        }

        foreach (var (key, value) in logEvent.Properties)
        {
            if (key == LoggerProperty)
            {
                continue;
            }

            output.Write(',');
            JsonValueFormatter.WriteQuotedJsonString(key, output);
            output.Write(':');
            Values.Format(value, output);
        }

        output.Write('}');
        output.Write('\n');
    }

    private static void Field(TextWriter output, string key, string value)
    {
        output.Write(",\"");
        output.Write(key);
        output.Write("\":");
        JsonValueFormatter.WriteQuotedJsonString(value, output);
    }

    private static string Level(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose => "trace",
        LogEventLevel.Debug => "debug",
        LogEventLevel.Information => "info",
        LogEventLevel.Warning => "warning",
        LogEventLevel.Error => "error",
        _ => "fatal",
    };

    /// <summary>The <c>--v</c> at which a line appears (see <c>CommandLineSettings.Verbosity</c>); warnings and errors always do.</summary>
    private static int? Verbosity(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose => 6,
        LogEventLevel.Debug => 4,
        LogEventLevel.Information => 2,
        _ => null,
    };
}
