using System.Text.Json.Nodes;

using CidrController.ApiEmulator.Validation;

namespace CidrController.ApiEmulator;

/// <summary>
/// Builds metav1.Status bodies exactly as kube-apiserver v1.26 shapes them (see the golden file):
/// kind, apiVersion, metadata {}, status, message, reason, details, code — and no details for 415.
/// </summary>
internal static class ApiStatus
{
    public static JsonObject Failure(int code, string reason, string message, JsonObject? details)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = code;
        return status;
    }

    public static JsonObject Details(ResourceKind resource, string name)
    {
        var details = new JsonObject { ["name"] = name };
        if (resource.Group.Length > 0)
        {
            details["group"] = resource.Group;
        }

        details["kind"] = resource.Plural;
        return details;
    }

    public static ApiStatusException NotFound(ResourceKind resource, string name) =>
        new(Failure(404, "NotFound", $"{resource.QualifiedResource} \"{name}\" not found", Details(resource, name)));

    public static ApiStatusException AlreadyExists(ResourceKind resource, string name) =>
        new(Failure(409, "AlreadyExists", $"{resource.QualifiedResource} \"{name}\" already exists", Details(resource, name)));

    public static ApiStatusException Conflict(ResourceKind resource, string name) =>
        new(Failure(409, "Conflict",
            $"Operation cannot be fulfilled on {resource.QualifiedResource} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            Details(resource, name)));

    /// <summary>A precondition of a DELETE that does not hold; unlike other conflicts, details name the Kind.</summary>
    public static ApiStatusException PreconditionConflict(ResourceKind resource, string name, string why) =>
        new(Failure(409, "Conflict", $"Operation cannot be fulfilled on {resource.Kind} \"{name}\": {why}",
            new JsonObject { ["name"] = name, ["kind"] = resource.Kind }));

    /// <summary>A write into a namespace that does not exist (the namespace lifecycle admission check).</summary>
    public static ApiStatusException NamespaceNotFound(string ns) =>
        new(Failure(404, "NotFound", $"namespaces \"{ns}\" not found", new JsonObject { ["name"] = ns, ["kind"] = "namespaces" }));

    /// <summary>A 500 as the real server sends it for an unexpected internal error: a message, no reason.</summary>
    public static ApiStatusException InternalError(string message)
    {
        var status = Failure(500, "", message, null);
        status.Remove("reason");
        return new(status);
    }

    public static ApiStatusException Invalid(ResourceKind resource, string name, IReadOnlyList<FieldError> errors)
    {
        // Causes list every error, even repeated ones; the message joins them without repeats (Go's aggregate dedups).
        var distinct = errors.Select(e => e.ToString()).Distinct(StringComparer.Ordinal).ToList();
        var joined = distinct.Count == 1 ? distinct[0] : "[" + string.Join(", ", distinct) + "]";
        var causes = new JsonArray();
        foreach (var e in errors)
        {
            causes.Add(new JsonObject { ["reason"] = e.Reason, ["message"] = e.Message, ["field"] = e.Field });
        }

        var details = new JsonObject { ["name"] = name };
        if (resource.ValidationGroup.Length > 0)
        {
            details["group"] = resource.ValidationGroup;
        }

        details["kind"] = resource.Kind;
        details["causes"] = causes;
        return new(Failure(422, "Invalid", $"{resource.Kind} \"{name}\" is invalid: {joined}", details));
    }

    /// <summary>What apiserver sends when a JSON patch cannot be applied (NewGenericServerResponse with 422).</summary>
    public static ApiStatusException PatchRejected() =>
        new(Failure(422, "Invalid", "the server rejected our request due to an error in our request", new JsonObject()));

    public static ApiStatusException BadRequest(string message) =>
        new(Failure(400, "BadRequest", message, null));

    public static ApiStatusException UnsupportedPatchType() =>
        new(Failure(415, "UnsupportedMediaType", "415: Unsupported Media Type", new JsonObject()));

    public static ApiStatusException UnsupportedBodyType(string contentType) =>
        new(Failure(415, "UnsupportedMediaType",
            $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got {contentType})",
            new JsonObject()));

    public static ApiStatusException MethodNotAllowed() =>
        new(Failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", new JsonObject()));

    public static ApiStatusException PathNotFound() =>
        new(Failure(404, "NotFound", "the server could not find the requested resource", new JsonObject()));

    public static JsonObject Unauthorized() => Failure(401, "Unauthorized", "Unauthorized", null);

    public static JsonObject Expired(string message) => Failure(410, "Expired", message, null);

    public static JsonObject ForInjectedCode(int code, string path, int? retryAfterSeconds)
    {
        return code switch
        {
            429 => Failure(429, "TooManyRequests", "Too many requests, please try again later.",
                new JsonObject { ["retryAfterSeconds"] = retryAfterSeconds ?? 1 }),
            403 => Failure(403, "Forbidden",
                $"forbidden: User \"system:serviceaccount:kube-system:cidr-controller\" cannot access path \"{path}\" (injected fault)",
                new JsonObject()),
            409 => Failure(409, "Conflict", "Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again (injected fault)", new JsonObject()),
            410 => Failure(410, "Expired", "too old resource version (injected fault)", null),
            503 => Failure(503, "ServiceUnavailable", "the server is currently unable to handle the request (injected fault)", new JsonObject()),
            504 => Failure(504, "Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request (injected fault)", new JsonObject()),
            _ => Failure(code, code >= 500 ? "InternalError" : "BadRequest", $"Internal error occurred: injected fault (HTTP {code})",
                new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = "injected fault" }) }),
        };
    }
}
