using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Validation;

/// <summary>
/// core/v1 and events.k8s.io/v1 Event defaulting and validation (upstream ValidateEventCreate): the legacy checks
/// for both, plus the strict ones for events.k8s.io/v1 — eventTime, reportingController, reportingInstance, action,
/// a DNS-subdomain name and generateName, type Normal/Warning, deprecated* unset.
/// </summary>
internal static class EventRules
{
    private const string QualifiedNameMessage =
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

    private static readonly string[] CoreOrder =
    [
        "kind", "apiVersion", "metadata", "involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp",
        "count", "type", "eventTime", "series", "action", "related", "reportingComponent", "reportingInstance",
    ];

    private static readonly string[] V1Order =
    [
        "kind", "apiVersion", "metadata", "eventTime", "series", "reportingController", "reportingInstance", "action", "reason",
        "regarding", "related", "note", "type", "deprecatedSource", "deprecatedFirstTimestamp", "deprecatedLastTimestamp", "deprecatedCount",
    ];

    /// <summary>Go serializes non-omitempty structs and times even when empty; the golden file shows exactly these.</summary>
    public static void NormalizeCore(JsonObject e)
    {
        e["kind"] = "Event";
        e["apiVersion"] = "v1";
        e["involvedObject"] ??= new JsonObject();
        e["source"] ??= new JsonObject();
        EnsureNull(e, "firstTimestamp");
        EnsureNull(e, "lastTimestamp");
        EnsureNull(e, "eventTime");
        e["reportingComponent"] ??= "";
        e["reportingInstance"] ??= "";
        WireShape.Canonicalize(e);
        WireShape.Reorder(e, CoreOrder);
    }

    public static void NormalizeV1(JsonObject e)
    {
        e["kind"] = "Event";
        e["apiVersion"] = "events.k8s.io/v1";
        EnsureNull(e, "eventTime");
        e["regarding"] ??= new JsonObject();
        e["deprecatedSource"] ??= new JsonObject();
        EnsureNull(e, "deprecatedFirstTimestamp");
        EnsureNull(e, "deprecatedLastTimestamp");
        WireShape.Canonicalize(e);
        WireShape.Reorder(e, V1Order);
    }

    public static List<FieldError> ValidateCore(JsonObject e) =>
        Legacy(e, Str(e, "eventTime").Length > 0, Str(e["involvedObject"], "namespace"), "reportingComponent", Str(e, "reportingComponent"), Str(e, "action"), Str(e, "message"));

    public static List<FieldError> ValidateV1(JsonObject e)
    {
        var hasTime = Str(e, "eventTime").Length > 0;
        var errors = Legacy(e, hasTime, Str(e["regarding"], "namespace"), "reportingController", Str(e, "reportingController"), Str(e, "action"), Str(e, "note"));
        var metadata = WireShape.Metadata(e);
        errors.AddRange(NameRules.ValidateMetadataName(Str(metadata, "name"), Str(metadata, "generateName")));
        if (e["series"] is JsonObject series)
        {
            if ((series["count"]?.GetValue<int>() ?? 0) < 2)
            {
                errors.Add(FieldError.Invalid("series.count", "\"\"", "should be at least 2"));
            }

            if (Str(series, "lastObservedTime").Length == 0)
            {
                errors.Add(FieldError.Required("series.lastObservedTime"));
            }
        }

        if (!hasTime)
        {
            errors.Add(FieldError.Required("eventTime"));
        }

        var type = Str(e, "type");
        if (type is not ("Normal" or "Warning"))
        {
            errors.Add(FieldError.Invalid("type", "\"\"", $"has invalid value: {type}"));
        }

        if (Str(e, "deprecatedFirstTimestamp").Length > 0)
        {
            errors.Add(FieldError.Invalid("deprecatedFirstTimestamp", "\"\"", "needs to be unset"));
        }

        if (Str(e, "deprecatedLastTimestamp").Length > 0)
        {
            errors.Add(FieldError.Invalid("deprecatedLastTimestamp", "\"\"", "needs to be unset"));
        }

        if ((e["deprecatedCount"]?.GetValue<int>() ?? 0) != 0)
        {
            errors.Add(FieldError.Invalid("deprecatedCount", "\"\"", "needs to be unset"));
        }

        if (Str(e["deprecatedSource"], "component").Length > 0 || Str(e["deprecatedSource"], "host").Length > 0)
        {
            errors.Add(FieldError.Invalid("deprecatedSource", "\"\"", "needs to be unset"));
        }

        return errors;
    }

    private static List<FieldError> Legacy(JsonObject e, bool hasEventTime, string involvedNamespace, string controllerField, string controller, string action, string message)
    {
        var errors = new List<FieldError>();
        var ns = Str(e["metadata"], "namespace");
        if (!hasEventTime)
        {
            var mismatch = involvedNamespace.Length == 0 ? ns is not ("" or "default") : ns != involvedNamespace;
            if (mismatch)
            {
                errors.Add(FieldError.Invalid("involvedObject.namespace", FieldError.GoString(involvedNamespace), "does not match event.namespace"));
            }
        }
        else
        {
            if (involvedNamespace.Length == 0 && ns is not ("default" or "kube-system"))
            {
                errors.Add(FieldError.Invalid("involvedObject.namespace", FieldError.GoString(involvedNamespace), "does not match event.namespace"));
            }

            if (controller.Length == 0)
            {
                errors.Add(FieldError.Required(controllerField));
                errors.Add(FieldError.Invalid(controllerField, "\"\"", "name part must be non-empty"));
                errors.Add(FieldError.Invalid(controllerField, "\"\"", QualifiedNameMessage));
            }
            else if (!NameRules.IsQualifiedName(controller))
            {
                errors.Add(FieldError.Invalid(controllerField, FieldError.GoString(controller), QualifiedNameMessage));
            }

            var instance = Str(e, "reportingInstance");
            if (instance.Length == 0)
            {
                errors.Add(FieldError.Required("reportingInstance"));
            }
            else if (instance.Length > 128)
            {
                errors.Add(FieldError.Invalid("reportingInstance", "\"\"", "can have at most 128 characters"));
            }

            if (action.Length == 0)
            {
                errors.Add(FieldError.Required("action"));
            }
            else if (action.Length > 128)
            {
                errors.Add(FieldError.Invalid("action", "\"\"", "can have at most 128 characters"));
            }

            if (message.Length > 1024)
            {
                errors.Add(FieldError.Invalid("note", "\"\"", "can have at most 1024 characters"));
            }
        }

        foreach (var m in NameRules.CheckDnsSubdomain(ns))
        {
            errors.Add(FieldError.Invalid("namespace", FieldError.GoString(ns), m));
        }

        return errors;
    }

    private static void EnsureNull(JsonObject e, string key)
    {
        if (!e.ContainsKey(key))
        {
            e[key] = null;
        }
    }

    private static string Str(JsonNode? obj, string key) =>
        obj is JsonObject o && o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
}
