using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using CidrController.ApiEmulator.Faults;
using CidrController.ApiEmulator.Patching;
using CidrController.ApiEmulator.Store;
using CidrController.ApiEmulator.Validation;

using Microsoft.AspNetCore.Http;

namespace CidrController.ApiEmulator.Http;

/// <summary>
/// The HTTP face of the emulator: authentication, fault injection, routing and the watch stream. Routing is done
/// by hand so every miss gets the real server's Status body rather than ASP.NET's defaults.
/// </summary>
internal sealed class ApiRequestHandler
{
    private readonly ObjectStore _store;
    private readonly FaultInjector _faults;
    private readonly EmulatorOptions _options;
    private readonly string? _bearerToken;
    private readonly ConcurrentQueue<RequestRecord> _requests;
    private readonly CancellationToken _stopping;

    public ApiRequestHandler(ObjectStore store, FaultInjector faults, EmulatorOptions options, string? bearerToken,
        ConcurrentQueue<RequestRecord> requests, CancellationToken stopping)
    {
        _store = store;
        _faults = faults;
        _options = options;
        _bearerToken = bearerToken;
        _requests = requests;
        _stopping = stopping;
    }

    public async Task HandleAsync(HttpContext ctx)
    {
        var request = ctx.Request;
        var method = request.Method;
        var path = request.Path.Value ?? "/";
        var pathAndQuery = path + request.QueryString.Value;
        var time = DateTimeOffset.UtcNow;
        string? body = null;
        if (method is "POST" or "PUT" or "PATCH" or "DELETE") // DELETE may carry DeleteOptions with preconditions
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            body = await reader.ReadToEndAsync(ctx.RequestAborted);
        }

        void RecordRequest(int status) =>
            _requests.Enqueue(new RequestRecord(time, method, pathAndQuery, request.Headers.UserAgent.ToString(), status,
                _options.RecordRequestBodies ? body : null));

        if (_bearerToken is not null && request.Headers.Authorization.ToString() != "Bearer " + _bearerToken)
        {
            RecordRequest(401);
            await WriteAsync(ctx, new ApiResponse(401, ApiStatus.Unauthorized()));
            return;
        }

        var isWatch = request.Query["watch"].ToString() is "1" or "true";
        var fault = _faults.Match(method, path, isWatch);
        if (fault is DelayFault delay)
        {
            await Task.Delay(delay.Duration, ctx.RequestAborted);
        }

        if (fault is StatusFault statusFault)
        {
            if (statusFault.StatusCode == 429 || statusFault.RetryAfterSeconds is not null)
            {
                ctx.Response.Headers.RetryAfter = (statusFault.RetryAfterSeconds ?? 1).ToString(CultureInfo.InvariantCulture);
            }

            RecordRequest(statusFault.StatusCode);
            await WriteAsync(ctx, new ApiResponse(statusFault.StatusCode, ApiStatus.ForInjectedCode(statusFault.StatusCode, path, statusFault.RetryAfterSeconds)));
            return;
        }

        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (isWatch && method == "GET" && segments is ["api", "v1", "nodes"])
        {
            switch (fault)
            {
                case EmptyWatchFault:
                    RecordRequest(200);
                    ctx.Response.StatusCode = 200;
                    ctx.Response.ContentType = "application/json";
                    return;
                case SilentWatchFault:
                    RecordRequest(200);
                    await SilentWatchAsync(ctx);
                    return;
                default:
                    await WatchNodesAsync(ctx, () => RecordRequest(200), truncate: fault is TruncatedBodyFault, malformed: (fault as MalformedBodyFault)?.Kind);
                    return;
            }
        }

        if (isWatch && method == "GET" && segments is ["apis", "networking.x-k8s.io", "v1", "clustercidrs"])
        {
            RecordRequest(200);
            await WatchClusterCidrsAsync(ctx, (fault as MalformedBodyFault)?.Kind);
            return;
        }

        ApiResponse response;
        try
        {
            response = Dispatch(method, segments, request, body);
        }
        catch (ApiStatusException e)
        {
            response = new ApiResponse(e.Code, e.Status);
        }

        if (fault is ApplyThenCloseFault)
        {
            RecordRequest(0);
            ctx.Abort();
            return;
        }

        if (fault is ApplyThenHangFault)
        {
            RecordRequest(0);
            using var hang = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping);
            try
            {
                await Task.Delay(Timeout.Infinite, hang.Token);
            }
            catch (OperationCanceledException)
            {
                // The client gave up or the emulator is stopping: either way there is nobody to answer.
            }

            ctx.Abort();
            return;
        }

        if (fault is TruncatedBodyFault)
        {
            RecordRequest(response.StatusCode);
            await WriteTruncatedAsync(ctx, response);
            return;
        }

        if (fault is MalformedBodyFault malformedBody)
        {
            RecordRequest(response.StatusCode);
            await WriteMalformedAsync(ctx, response, malformedBody.Kind);
            return;
        }

        if (fault is UnknownFieldsFault)
        {
            response = new ApiResponse(response.StatusCode, WithUnknownFields(response.Body));
        }

        RecordRequest(response.StatusCode);
        await WriteAsync(ctx, response);
    }

    private static async Task WriteTruncatedAsync(HttpContext ctx, ApiResponse response)
    {
        var bytes = Encoding.UTF8.GetBytes(response.Body.ToJsonString());
        ctx.Response.StatusCode = response.StatusCode;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = bytes.Length / 2;
        await ctx.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), ctx.RequestAborted);
    }

    private static async Task WriteMalformedAsync(HttpContext ctx, ApiResponse response, MalformedBody kind)
    {
        // Not JSON: a proxy's error page cut short, then binary noise.
        var bytes = kind == MalformedBody.Garbage
            ? "<html><body>502 Bad Ga\0\u00ff{{\""u8.ToArray()
            : Encoding.UTF8.GetBytes(WithWrongTypes(response.Body).ToJsonString());
        ctx.Response.StatusCode = response.StatusCode;
        ctx.Response.ContentType = "application/json";
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
    }

    /// <summary>The same answer with a value of the wrong type where every client looks: a list's items, an object's metadata.</summary>
    private static JsonNode WithWrongTypes(JsonNode body)
    {
        if (body is not JsonObject root)
        {
            return JsonValue.Create(42);
        }

        var copy = (JsonObject)root.DeepClone();
        if (copy.ContainsKey("items"))
        {
            copy["items"] = "items of the wrong type";
        }
        else
        {
            copy["metadata"] = 42;
        }

        return copy;
    }

    /// <summary>One watch line that does not decode as an event.</summary>
    private static string MalformedEventLine(MalformedBody kind) => kind == MalformedBody.Garbage
        ? "\u0000\u00ff{{\"type\":ADDED garbage\n"
        : "{\"type\":\"ADDED\",\"object\":42}\n";

    /// <summary>What a newer API server's answer looks like to an older client: fields at every level it does not know.</summary>
    private static JsonNode WithUnknownFields(JsonNode body)
    {
        if (body is not JsonObject root)
        {
            return body;
        }

        var copy = (JsonObject)root.DeepClone();
        copy["futureTopLevelField"] = new JsonObject { ["nested"] = new JsonArray(1, "two", null) };
        IEnumerable<JsonNode?> objects = copy["items"] is JsonArray items ? items : [copy];
        foreach (var item in objects.OfType<JsonObject>())
        {
            if (item["metadata"] is JsonObject metadata)
            {
                metadata["futureMetadataField"] = 42;
            }

            if (item["spec"] is JsonObject spec)
            {
                spec["futureSpecField"] = new JsonObject { ["enabled"] = true };
            }
        }

        return copy;
    }

    /// <summary>200 and flushed headers, then silence until the client gives up or the emulator stops.</summary>
    private async Task SilentWatchAsync(HttpContext ctx)
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        using var silence = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping, _faults.WatchDropToken);
        try
        {
            await ctx.Response.StartAsync(silence.Token);
            await ctx.Response.Body.FlushAsync(silence.Token);
            await Task.Delay(Timeout.Infinite, silence.Token);
        }
        catch (OperationCanceledException)
        {
            // The client noticed the silence (or the emulator is stopping).
        }
        catch (IOException)
        {
        }

        ctx.Abort();
    }

    private static async Task WriteAsync(HttpContext ctx, ApiResponse response)
    {
        ctx.Response.StatusCode = response.StatusCode;
        if (response.Body is JsonValue text && text.TryGetValue<string>(out var plain))
        {
            ctx.Response.ContentType = "text/plain; charset=utf-8";
            await ctx.Response.WriteAsync(plain, ctx.RequestAborted);
            return;
        }

        ctx.Response.ContentType = "application/json";
        var bytes = Encoding.UTF8.GetBytes(response.Body.ToJsonString());
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
    }

    private ApiResponse Dispatch(string method, string[] segments, HttpRequest request, string? body)
    {
        switch (segments)
        {
            case ["version"]:
                return Only(method, "GET", () => new ApiResponse(200, new JsonObject
                {
                    ["major"] = "1",
                    ["minor"] = "26",
                    ["gitVersion"] = "v1.26.4-cidr-controller-emulator",
                    ["platform"] = "linux/amd64",
                }));
            case ["healthz" or "readyz" or "livez"]:
                return Only(method, "GET", () => new ApiResponse(200, JsonValue.Create("ok")));
            case ["api", "v1", "nodes"]:
                return method switch
                {
                    "GET" => ListNodes(request),
                    "POST" => new ApiResponse(201, _store.CreateNode(ParseObject(request, body, ResourceKind.Node))),
                    _ => throw ApiStatus.MethodNotAllowed(),
                };
            case ["api", "v1", "nodes", var name]:
                return NodeItem(method, name, request, body);
            case ["api", "v1", "namespaces", var ns, "events"]:
                return Collection(method, ResourceKind.CoreEvent, ns, request, body);
            case ["api", "v1", "namespaces", var ns, "events", var name]:
                return Item(method, ResourceKind.CoreEvent, ns, name, request, body);
            case ["apis", "events.k8s.io", "v1", "namespaces", var ns, "events"]:
                return Collection(method, ResourceKind.EventsV1Event, ns, request, body);
            case ["apis", "events.k8s.io", "v1", "namespaces", var ns, "events", var name]:
                return Item(method, ResourceKind.EventsV1Event, ns, name, request, body);
            case ["apis", "coordination.k8s.io", "v1", "namespaces", var ns, "leases"]:
                return Collection(method, ResourceKind.Lease, ns, request, body);
            case ["apis", "coordination.k8s.io", "v1", "namespaces", var ns, "leases", var name]:
                return Item(method, ResourceKind.Lease, ns, name, request, body);
            case ["api", "v1", "namespaces", var ns, "configmaps"]:
                return Collection(method, ResourceKind.ConfigMap, ns, request, body);
            case ["api", "v1", "namespaces", var ns, "configmaps", var name]:
                return Item(method, ResourceKind.ConfigMap, ns, name, request, body);
            case ["api", "v1", "configmaps"]:
                return Only(method, "GET", () => NamespacedList(ResourceKind.ConfigMap, null, request));
            case ["api", "v1", "events"]:
                return Only(method, "GET", () => NamespacedList(ResourceKind.CoreEvent, null, request));
            case ["apis", "events.k8s.io", "v1", "events"]:
                return Only(method, "GET", () => NamespacedList(ResourceKind.EventsV1Event, null, request));
            case ["apis", "coordination.k8s.io", "v1", "leases"]:
                return Only(method, "GET", () => NamespacedList(ResourceKind.Lease, null, request));
            case ["apis", "networking.x-k8s.io", "v1", "clustercidrs"]:
                return Collection(method, ResourceKind.ClusterCidr, "", request, body);
            case ["apis", "networking.x-k8s.io", "v1", "clustercidrs", var name]:
                return Item(method, ResourceKind.ClusterCidr, "", name, request, body);
            default:
                throw ApiStatus.PathNotFound();
        }
    }

    private static ApiResponse Only(string method, string allowed, Func<ApiResponse> handler) =>
        method == allowed ? handler() : throw ApiStatus.MethodNotAllowed();

    // ---------------------------------------------------------------- nodes

    private ApiResponse ListNodes(HttpRequest request)
    {
        var query = request.Query;
        int? limit = null;
        var limitText = query["limit"].ToString();
        if (limitText.Length > 0)
        {
            limit = int.TryParse(limitText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) && l >= 0
                ? l
                : throw ApiStatus.BadRequest($"limit: Invalid value: \"{limitText}\": must be a non-negative integer");
        }

        var result = _store.ListNodes(
            LabelSelector.Parse(query["labelSelector"].ToString()),
            FieldSelector.Parse(query["fieldSelector"].ToString()),
            limit,
            query["continue"].ToString(),
            query["resourceVersion"].ToString());
        var metadata = new JsonObject { ["resourceVersion"] = result.ResourceVersion.ToString(CultureInfo.InvariantCulture) };
        if (result.Continue is not null)
        {
            metadata["continue"] = result.Continue;
        }

        if (result.RemainingItemCount is { } remaining)
        {
            metadata["remainingItemCount"] = remaining;
        }

        var items = new JsonArray(result.Items.Select(i => (JsonNode?)i).ToArray());
        return new ApiResponse(200, new JsonObject
        {
            ["kind"] = "NodeList",
            ["apiVersion"] = "v1",
            ["metadata"] = metadata,
            ["items"] = items,
        });
    }

    private ApiResponse NodeItem(string method, string name, HttpRequest request, string? body)
    {
        switch (method)
        {
            case "GET":
                return new ApiResponse(200, _store.GetNode(name) ?? throw ApiStatus.NotFound(ResourceKind.Node, name));
            case "PUT":
                var replacement = ParseObject(request, body, ResourceKind.Node);
                CheckUrlName(replacement, name);
                return new ApiResponse(200, _store.UpdateNode(name, _ => replacement));
            case "PATCH":
                var patch = PatchFunction(request, body, StrategicMergePatch.Node);
                return new ApiResponse(200, _store.UpdateNode(name, patch));
            case "DELETE":
                var (uid, rv) = DeletePreconditions(body);
                return new ApiResponse(200, _store.DeleteNode(name, uid, rv));
            default:
                throw ApiStatus.MethodNotAllowed();
        }
    }

    private async Task WatchNodesAsync(HttpContext ctx, Action recordStart, bool truncate, MalformedBody? malformed)
    {
        var query = ctx.Request.Query;
        var response = ctx.Response;
        WatchStart start;
        TimeSpan? timeout = null;
        try
        {
            var timeoutText = query["timeoutSeconds"].ToString();
            if (timeoutText.Length > 0)
            {
                timeout = int.TryParse(timeoutText, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                    ? TimeSpan.FromSeconds(seconds)
                    : throw ApiStatus.BadRequest($"timeoutSeconds: Invalid value: \"{timeoutText}\"");
            }

            var labels = LabelSelector.Parse(query["labelSelector"].ToString());
            var fields = FieldSelector.Parse(query["fieldSelector"].ToString());
            var resourceVersion = query["resourceVersion"].ToString();
            if (resourceVersion.Length > 0 && !ulong.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                // The real watch cache fails to parse it deep inside and answers 500 with Go's parse error, no reason.
                throw ApiStatus.InternalError($"resourceVersion: Invalid value: \"{resourceVersion}\": strconv.ParseUint: parsing \"{resourceVersion}\": invalid syntax");
            }

            start = _faults.TryTakeForcedExpiry()
                ? new WatchStart(null, [], "too old resource version: forced by the emulator's fault injector")
                : _store.StartWatch(query["resourceVersion"].ToString(), labels, fields);
        }
        catch (ApiStatusException e)
        {
            recordStart();
            await WriteAsync(ctx, new ApiResponse(e.Code, e.Status));
            return;
        }

        response.StatusCode = 200;
        response.ContentType = "application/json";
        recordStart();
        if (start.ExpiredMessage is not null)
        {
            // The real server reports a compacted resourceVersion inside a successful watch response.
            await response.WriteAsync(EventLine("ERROR", ApiStatus.Expired(start.ExpiredMessage).ToJsonString()), ctx.RequestAborted);
            return;
        }

        var watcher = start.Watcher!;
        var dropToken = _faults.WatchDropToken;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping, dropToken);
        if (timeout is { } t)
        {
            cts.CancelAfter(t);
        }

        var bookmarks = query["allowWatchBookmarks"].ToString() is "true" or "1";
        try
        {
            // Kestrel buffers headers until the first flush; clients must see the 200 before any event exists.
            await response.StartAsync(cts.Token);
            await response.Body.FlushAsync(cts.Token);
            if (truncate)
            {
                // Half an event line, then the end of the stream: what a proxy cutting the connection mid-write leaves.
                await response.WriteAsync("{\"type\":\"ADDED\",\"object\":{\"kind\":\"Node\",\"apiVers", cts.Token);
                await response.Body.FlushAsync(cts.Token);
                return;
            }

            var buffer = new StringBuilder();
            if (malformed is { } kind)
            {
                buffer.Append(MalformedEventLine(kind));
            }

            foreach (var entry in start.Initial)
            {
                Append(buffer, watcher, entry);
            }

            await FlushAsync(response, buffer, cts.Token);
            await StreamLiveAsync(response, watcher, bookmarks, buffer, cts.Token);
        }
        catch (OperationCanceledException)
        {
            // Timeout, client gone, emulator stopping or an injected drop: handled below.
        }
        catch (IOException)
        {
            // The client closed the connection mid-write.
        }
        finally
        {
            _store.StopWatch(watcher);
        }

        if (dropToken.IsCancellationRequested || _stopping.IsCancellationRequested)
        {
            ctx.Abort();
        }
    }

    private async Task StreamLiveAsync(HttpResponse response, NodeWatcher watcher, bool bookmarks, StringBuilder buffer, CancellationToken ct)
    {
        var reader = watcher.Reader;
        var interval = _options.BookmarkInterval;
        var nextBookmark = DateTime.UtcNow + interval;
        Task<bool>? waiting = null;
        while (true)
        {
            waiting ??= reader.WaitToReadAsync(ct).AsTask();
            if (bookmarks)
            {
                var untilBookmark = nextBookmark - DateTime.UtcNow;
                if (untilBookmark > TimeSpan.Zero)
                {
                    await Task.WhenAny(waiting, Task.Delay(untilBookmark, ct));
                }
            }
            else
            {
                await waiting;
            }

            ct.ThrowIfCancellationRequested();
            if (waiting.IsCompleted)
            {
                if (!await waiting)
                {
                    return;
                }

                waiting = null;
                while (reader.TryRead(out var entry))
                {
                    Append(buffer, watcher, entry);
                }
            }

            if (bookmarks && DateTime.UtcNow >= nextBookmark)
            {
                // Everything committed up to this resourceVersion is already queued; send it first so the bookmark never goes backwards.
                var rv = _store.CurrentResourceVersion;
                while (reader.TryPeek(out var pending) && pending.ResourceVersion <= rv && reader.TryRead(out var entry))
                {
                    Append(buffer, watcher, entry);
                }

                buffer.Append(EventLine("BOOKMARK",
                    $"{{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":{{\"resourceVersion\":\"{rv.ToString(CultureInfo.InvariantCulture)}\"}}}}"));
                nextBookmark = DateTime.UtcNow + interval;
            }

            await FlushAsync(response, buffer, ct);
        }
    }

    private static void Append(StringBuilder buffer, NodeWatcher watcher, HistoryEntry entry)
    {
        var type = watcher.Project(entry);
        if (type is not null)
        {
            buffer.Append(EventLine(type, entry.Json));
        }
    }

    private static async Task FlushAsync(HttpResponse response, StringBuilder buffer, CancellationToken ct)
    {
        if (buffer.Length == 0)
        {
            return;
        }

        await response.WriteAsync(buffer.ToString(), ct);
        buffer.Clear();
        await response.Body.FlushAsync(ct);
    }

    /// <summary>
    /// A ClusterCIDR watch, as the real server starts one without a resourceVersion: ADDED for every object, then
    /// each change. ClusterCIDRs are few, so the emulator finds changes by comparing the store every 20 ms rather
    /// than keeping a change log per resource.
    /// </summary>
    private async Task WatchClusterCidrsAsync(HttpContext ctx, MalformedBody? malformed)
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping, _faults.WatchDropToken);
        var seen = new Dictionary<string, (string Version, JsonObject Object)>(StringComparer.Ordinal);
        try
        {
            if (malformed is { } kind)
            {
                await ctx.Response.WriteAsync(MalformedEventLine(kind), cts.Token);
                await ctx.Response.Body.FlushAsync(cts.Token);
            }

            while (true)
            {
                var now = _store.ListNamespaced(ResourceKind.ClusterCidr, null, LabelSelector.Parse(""))
                    .ToDictionary(o => o["metadata"]!["name"]!.GetValue<string>(), o => (Version: o["metadata"]!["resourceVersion"]!.GetValue<string>(), Object: o), StringComparer.Ordinal);
                var lines = new StringBuilder();
                foreach (var (name, current) in now)
                {
                    if (!seen.TryGetValue(name, out var before))
                    {
                        lines.Append(EventLine("ADDED", current.Object.ToJsonString()));
                    }
                    else if (before.Version != current.Version)
                    {
                        lines.Append(EventLine("MODIFIED", current.Object.ToJsonString()));
                    }
                }

                foreach (var (name, before) in seen)
                {
                    if (!now.ContainsKey(name))
                    {
                        lines.Append(EventLine("DELETED", before.Object.ToJsonString()));
                    }
                }

                seen = now;
                if (lines.Length > 0)
                {
                    await ctx.Response.WriteAsync(lines.ToString(), cts.Token);
                    await ctx.Response.Body.FlushAsync(cts.Token);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20), cts.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static string EventLine(string type, string objectJson) => $"{{\"type\":\"{type}\",\"object\":{objectJson}}}\n";

    // ---------------------------------------------------------------- events, leases, configmaps

    private ApiResponse Collection(string method, ResourceKind kind, string ns, HttpRequest request, string? body)
    {
        switch (method)
        {
            case "GET":
                if (request.Query["watch"].ToString() is "1" or "true")
                {
                    throw ApiStatus.BadRequest($"the emulator does not implement watch for {kind.QualifiedResource}");
                }

                return NamespacedList(kind, ns, request);
            case "POST":
                if (kind.Namespaced && !_options.Namespaces.Contains(ns))
                {
                    throw ApiStatus.NamespaceNotFound(ns);
                }

                var obj = ParseObject(request, body, kind);
                CheckNamespace(obj, ns);
                var (normalize, validate) = Rules(kind);
                return new ApiResponse(201, _store.CreateNamespaced(kind, ns, obj, normalize, validate));
            default:
                throw ApiStatus.MethodNotAllowed();
        }
    }

    private ApiResponse Item(string method, ResourceKind kind, string ns, string name, HttpRequest request, string? body)
    {
        var (normalize, validate) = Rules(kind);
        switch (method)
        {
            case "GET":
                return new ApiResponse(200, _store.GetNamespaced(kind, ns, name) ?? throw ApiStatus.NotFound(kind, name));
            case "PUT":
                var replacement = ParseObject(request, body, kind);
                CheckNamespace(replacement, ns);
                CheckUrlName(replacement, name);
                return new ApiResponse(200, _store.UpdateNamespaced(kind, ns, name, Immutable(kind, _ => replacement), normalize, validate));
            case "PATCH":
                if (kind == ResourceKind.ClusterCidr && MediaType(request) == "application/strategic-merge-patch+json")
                {
                    // Custom resources have no patch strategy: the real server refuses strategic merge for them.
                    throw ApiStatus.UnsupportedPatchType();
                }

                var patch = PatchFunction(request, body, StrategicMergePatch.Generic);
                return new ApiResponse(200, _store.UpdateNamespaced(kind, ns, name, Immutable(kind, patch), normalize, validate));
            case "DELETE":
                return new ApiResponse(200, _store.DeleteNamespaced(kind, ns, name));
            default:
                throw ApiStatus.MethodNotAllowed();
        }
    }

    private ApiResponse NamespacedList(ResourceKind kind, string? ns, HttpRequest request)
    {
        var labels = LabelSelector.Parse(request.Query["labelSelector"].ToString());
        var items = new JsonArray();
        foreach (var item in _store.ListNamespaced(kind, ns, labels))
        {
            item.Remove("kind");
            item.Remove("apiVersion");
            items.Add(item);
        }

        return new ApiResponse(200, new JsonObject
        {
            ["kind"] = kind.ListKind,
            ["apiVersion"] = kind.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = _store.CurrentResourceVersion.ToString(CultureInfo.InvariantCulture) },
            ["items"] = items,
        });
    }

    /// <summary>Wraps an update with the kind's update-only rules (ClusterCIDR's CEL immutability rules).</summary>
    private static Func<JsonObject, JsonObject> Immutable(ResourceKind kind, Func<JsonObject, JsonObject> mutate) =>
        kind != ResourceKind.ClusterCidr
            ? mutate
            : old =>
            {
                var updated = mutate(old.DeepClone().AsObject());
                var errors = ClusterCidrRules.ValidateUpdate(old, updated);
                return errors.Count == 0 ? updated : throw ApiStatus.Invalid(kind, WireShape.Name(old), errors);
            };

    private static (Action<JsonObject> Normalize, Func<JsonObject, List<FieldError>> Validate) Rules(ResourceKind kind)
    {
        if (kind == ResourceKind.ClusterCidr)
        {
            return (ClusterCidrRules.Normalize, ClusterCidrRules.Validate);
        }

        if (kind == ResourceKind.Lease)
        {
            return (LeaseRules.Normalize, LeaseRules.Validate);
        }

        if (kind == ResourceKind.ConfigMap)
        {
            return (ConfigMapRules.Normalize, ConfigMapRules.Validate);
        }

        return kind == ResourceKind.CoreEvent
            ? (EventRules.NormalizeCore, EventRules.ValidateCore)
            : (EventRules.NormalizeV1, EventRules.ValidateV1);
    }

    // ---------------------------------------------------------------- bodies

    private static JsonObject ParseObject(HttpRequest request, string? body, ResourceKind kind)
    {
        var mediaType = MediaType(request);
        if (mediaType is not ("application/json" or ""))
        {
            throw ApiStatus.UnsupportedBodyType(mediaType);
        }

        var node = ParseJson(body);
        if (node is not JsonObject obj)
        {
            throw ApiStatus.BadRequest($"json: cannot unmarshal {node?.GetValueKind().ToString().ToLowerInvariant() ?? "null"} into Go value of type struct {{ APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }}");
        }

        var bodyKind = obj["kind"]?.ToString();
        var bodyVersion = obj["apiVersion"]?.ToString();
        if ((bodyKind is not null && bodyKind.Length > 0 && bodyKind != kind.Kind)
            || (bodyVersion is not null && bodyVersion.Length > 0 && bodyVersion != kind.ApiVersion))
        {
            throw ApiStatus.BadRequest($"the object provided is unrecognized (must be of type {kind.Kind}): {bodyKind} in version \"{bodyVersion}\" cannot be handled as a {kind.Kind}");
        }

        return obj;
    }

    private static JsonNode? ParseJson(string? body)
    {
        try
        {
            return JsonNode.Parse(body ?? "");
        }
        catch (JsonException e)
        {
            throw ApiStatus.BadRequest($"couldn't get version/kind; json parse error: {e.Message}");
        }
    }

    private static Func<JsonObject, JsonObject> PatchFunction(HttpRequest request, string? body, StrategicMergePatch strategic)
    {
        var mediaType = MediaType(request);
        if (mediaType is not ("application/strategic-merge-patch+json" or "application/merge-patch+json" or "application/json-patch+json"))
        {
            throw ApiStatus.UnsupportedPatchType();
        }

        JsonNode? patch;
        try
        {
            patch = JsonNode.Parse(body ?? "");
        }
        catch (JsonException e)
        {
            throw ApiStatus.BadRequest($"error decoding patch: {e.Message}");
        }

        return mediaType switch
        {
            "application/json-patch+json" => current => JsonPatch.Apply(current, patch!) as JsonObject ?? throw ApiStatus.PatchRejected(),
            "application/merge-patch+json" => current => JsonMergePatch.Apply(current, patch) as JsonObject
                ?? throw ApiStatus.BadRequest("merge patch must produce an object"),
            _ => current => strategic.Apply(current, patch as JsonObject
                ?? throw ApiStatus.BadRequest("unable to find api field in struct Node for the json field \"\"")),
        };
    }

    private static string MediaType(HttpRequest request)
    {
        var contentType = request.ContentType ?? "";
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim().ToLowerInvariant();
    }

    private static void CheckUrlName(JsonObject obj, string name)
    {
        var bodyName = obj["metadata"]?["name"]?.ToString() ?? "";
        if (bodyName != name)
        {
            throw ApiStatus.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }
    }

    private static void CheckNamespace(JsonObject obj, string ns)
    {
        var bodyNs = obj["metadata"]?["namespace"]?.ToString() ?? "";
        if (bodyNs.Length > 0 && bodyNs != ns)
        {
            throw ApiStatus.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
    }

    private static (string? Uid, string? ResourceVersion) DeletePreconditions(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }

        var options = ParseJson(body) as JsonObject;
        var preconditions = options?["preconditions"] as JsonObject;
        return (preconditions?["uid"]?.ToString(), preconditions?["resourceVersion"]?.ToString());
    }
}
