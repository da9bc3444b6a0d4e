using System.Globalization;
using System.Text.Json.Nodes;

using CidrController.ApiEmulator.Validation;

namespace CidrController.ApiEmulator.Store;

/// <summary>
/// All state behind one lock: a global resourceVersion bumped by every write (like etcd's revision), Nodes with
/// a watch history, and namespaced Leases and Events. Everything handed out is a deep copy; stored objects are
/// replaced, never mutated, so history entries can share them.
/// </summary>
internal sealed class ObjectStore
{
    private readonly Lock _lock = new();
    private readonly int _historyLimit;
    private readonly Dictionary<string, StoredObject> _nodes = new(StringComparer.Ordinal);
    private readonly List<HistoryEntry> _history = [];
    private readonly List<NodeWatcher> _watchers = [];
    private readonly Dictionary<string, StoredObject> _namespaced = new(StringComparer.Ordinal);
    private long _resourceVersion;
    private long _compactedThrough;
    private long _sequence;

    public ObjectStore(EmulatorOptions options)
    {
        _resourceVersion = options.InitialResourceVersion;
        _compactedThrough = options.InitialResourceVersion;
        _historyLimit = Math.Max(16, options.WatchHistoryLimit);
    }

    public long CurrentResourceVersion
    {
        get
        {
            lock (_lock)
            {
                return _resourceVersion;
            }
        }
    }

    // ---------------------------------------------------------------- Nodes

    public JsonObject CreateNode(JsonObject body)
    {
        lock (_lock)
        {
            var node = body.DeepClone().AsObject();
            var metadata = WireShape.Metadata(node);
            AssignGeneratedName(metadata, name => _nodes.ContainsKey(name));
            var name = WireShape.GetString(metadata, "name", "ObjectMeta.metadata.name") ?? "";
            NodeRules.Normalize(node);
            metadata = WireShape.Metadata(node);
            var errors = NodeRules.Validate(node);
            if (errors.Count > 0)
            {
                throw ApiStatus.Invalid(ResourceKind.Node, name, errors);
            }

            if (_nodes.ContainsKey(name))
            {
                throw ApiStatus.AlreadyExists(ResourceKind.Node, name);
            }

            metadata.Remove("deletionTimestamp");
            metadata.Remove("deletionGracePeriodSeconds");
            metadata.Remove("namespace");
            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = WireShape.Now();
            metadata["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
            WireShape.Canonicalize(node);
            var labels = WireShape.GetLabels(metadata);
            _nodes[name] = new StoredObject(node, ++_sequence, labels);
            Record("ADDED", name, node, labels, null, null);
            return node.DeepClone().AsObject();
        }
    }

    public JsonObject? GetNode(string name)
    {
        lock (_lock)
        {
            return _nodes.TryGetValue(name, out var stored) ? stored.Value.DeepClone().AsObject() : null;
        }
    }

    /// <summary>
    /// PUT and PATCH: <paramref name="mutate"/> gets a copy of the current object and returns the desired one.
    /// A non-empty metadata.resourceVersion in the result is a precondition (a stale one is 409), exactly as
    /// the real server treats an update body or a patch that sets it. A result equal to the current object
    /// writes nothing and keeps the resourceVersion (the real server skips no-op writes too).
    /// </summary>
    public JsonObject UpdateNode(string name, Func<JsonObject, JsonObject> mutate)
    {
        lock (_lock)
        {
            if (!_nodes.TryGetValue(name, out var stored))
            {
                throw ApiStatus.NotFound(ResourceKind.Node, name);
            }

            var old = stored.Value;
            var candidate = mutate(old.DeepClone().AsObject());
            var metadata = WireShape.Metadata(candidate);
            CheckPreconditions(ResourceKind.Node, name, old, metadata);
            CopyServerOwnedMetadata(old, metadata);
            NodeRules.Normalize(candidate);
            var errors = NodeRules.ValidateUpdate(candidate, old);
            if (errors.Count > 0)
            {
                throw ApiStatus.Invalid(ResourceKind.Node, name, errors);
            }

            if (JsonNode.DeepEquals(candidate, old))
            {
                return old.DeepClone().AsObject();
            }

            var oldLabels = stored.Labels;
            if (metadata["deletionTimestamp"] is not null
                && WireShape.GetStringList(metadata, "finalizers", "ObjectMeta.metadata.finalizers").Count == 0)
            {
                // The last finalizer is gone from a terminating object: upstream deletes instead of updating, answers
                // with the would-be object at its old resourceVersion, and the DELETED event carries the last stored state.
                metadata.Remove("finalizers");
                RemoveNode(name, old, oldLabels);
                return candidate.DeepClone().AsObject();
            }

            metadata["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
            var labels = WireShape.GetLabels(metadata);
            _nodes[name] = stored with { Value = candidate, Labels = labels };
            Record("MODIFIED", name, candidate, labels, old, oldLabels);
            return candidate.DeepClone().AsObject();
        }
    }

    /// <summary>DELETE: with finalizers the object only gains deletionTimestamp (a MODIFIED event); otherwise it is gone.</summary>
    public JsonObject DeleteNode(string name, string? preconditionUid, string? preconditionResourceVersion)
    {
        lock (_lock)
        {
            if (!_nodes.TryGetValue(name, out var stored))
            {
                throw ApiStatus.NotFound(ResourceKind.Node, name);
            }

            var old = stored.Value;
            var oldMetadata = WireShape.Metadata(old);
            var uid = oldMetadata["uid"]?.GetValue<string>();
            if (preconditionUid is not null && preconditionUid != uid)
            {
                throw ApiStatus.PreconditionConflict(ResourceKind.Node, name,
                    $"the UID in the precondition ({preconditionUid}) does not match the UID in record ({uid}). The object might have been deleted and then recreated");
            }

            var resourceVersion = WireShape.ResourceVersion(old);
            if (preconditionResourceVersion is not null && preconditionResourceVersion != resourceVersion)
            {
                throw ApiStatus.PreconditionConflict(ResourceKind.Node, name,
                    $"the ResourceVersion in the precondition ({preconditionResourceVersion}) does not match the ResourceVersion in record ({resourceVersion}). The object might have been modified");
            }

            var finalizers = WireShape.GetStringList(oldMetadata, "finalizers", "ObjectMeta.metadata.finalizers");
            if (finalizers.Count > 0)
            {
                if (oldMetadata["deletionTimestamp"] is not null)
                {
                    return old.DeepClone().AsObject();
                }

                var terminating = old.DeepClone().AsObject();
                var metadata = WireShape.Metadata(terminating);
                metadata["deletionTimestamp"] = WireShape.Now();
                metadata["deletionGracePeriodSeconds"] = 0;
                metadata["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
                WireShape.Canonicalize(terminating);
                _nodes[name] = stored with { Value = terminating };
                Record("MODIFIED", name, terminating, stored.Labels, old, stored.Labels);
                return terminating.DeepClone().AsObject();
            }

            RemoveNode(name, old, stored.Labels);
            return new JsonObject
            {
                ["kind"] = "Status",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject(),
                ["status"] = "Success",
                ["details"] = new JsonObject
                {
                    ["name"] = name,
                    ["kind"] = ResourceKind.Node.Plural,
                    ["uid"] = oldMetadata["uid"]?.DeepClone(),
                },
            };
        }
    }

    public IReadOnlyList<JsonObject> AllNodes()
    {
        lock (_lock)
        {
            return _nodes.Values.OrderBy(s => WireShape.Name(s.Value), StringComparer.Ordinal).Select(s => s.Value.DeepClone().AsObject()).ToList();
        }
    }

    /// <summary>
    /// A list page. Continuation pages are served from the snapshot at the first page's resourceVersion (rebuilt
    /// by undoing history), like etcd serves them; a snapshot older than the history is 410 Expired. rv=0 without a
    /// continue token is served "from the watch cache": the limit is ignored, as on the real server.
    /// </summary>
    public NodeListResult ListNodes(LabelSelector labels, FieldSelector fields, int? limit, string? continueToken, string? resourceVersion)
    {
        lock (_lock)
        {
            IEnumerable<(string Name, JsonObject Value, IReadOnlyDictionary<string, string> Labels)> source;
            long listRv;
            var startAfter = "";
            if (!string.IsNullOrEmpty(continueToken))
            {
                var token = ContinueToken.Decode(continueToken);
                if (token.ResourceVersion < _compactedThrough)
                {
                    throw new ApiStatusException(ApiStatus.Expired(
                        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."));
                }

                listRv = token.ResourceVersion;
                startAfter = token.StartAfter;
                source = SnapshotAt(listRv);
            }
            else
            {
                if (!string.IsNullOrEmpty(resourceVersion))
                {
                    var requested = ParseResourceVersion(resourceVersion);
                    if (requested > _resourceVersion)
                    {
                        throw new ApiStatusException(ApiStatus.Failure(504, "Timeout",
                            $"Too large resource version: {requested}, current: {_resourceVersion}",
                            new JsonObject
                            {
                                ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ResourceVersionTooLarge", ["message"] = "Too large resource version" }),
                                ["retryAfterSeconds"] = 1,
                            }));
                    }

                    if (requested == 0)
                    {
                        limit = null;
                    }
                }

                listRv = _resourceVersion;
                source = _nodes.Select(kv => (kv.Key, kv.Value.Value, kv.Value.Labels));
            }

            var matching = source
                .Where(o => string.CompareOrdinal(o.Name, startAfter) > 0 && fields.Matches(o.Name) && labels.Matches(o.Labels))
                .OrderBy(o => o.Name, StringComparer.Ordinal)
                .ToList();
            var take = limit is > 0 ? Math.Min(limit.Value, matching.Count) : matching.Count;
            var items = new List<JsonObject>(take);
            for (var i = 0; i < take; i++)
            {
                var item = matching[i].Value.DeepClone().AsObject();
                item.Remove("kind");
                item.Remove("apiVersion");
                items.Add(item);
            }

            if (take == matching.Count)
            {
                return new NodeListResult(items, listRv, null, null);
            }

            var next = new ContinueToken(listRv, matching[take - 1].Name).Encode();
            long? remaining = labels.IsEmpty && fields == FieldSelector.Everything ? matching.Count - take : null;
            return new NodeListResult(items, listRv, next, remaining);
        }
    }

    public WatchStart StartWatch(string? resourceVersion, LabelSelector labels, FieldSelector fields)
    {
        lock (_lock)
        {
            List<HistoryEntry> initial;
            if (string.IsNullOrEmpty(resourceVersion) || resourceVersion == "0")
            {
                // Upstream sends the current state as synthetic ADDED events; the watch cache keeps insertion order.
                initial = _nodes.Values.OrderBy(s => s.Sequence)
                    .Select(s => new HistoryEntry(ParseResourceVersion(WireShape.ResourceVersion(s.Value)), "ADDED", WireShape.Name(s.Value),
                        s.Value.ToJsonString(), s.Labels, null, s.Value, null))
                    .ToList();
            }
            else
            {
                var from = ParseResourceVersion(resourceVersion);
                if (from < _compactedThrough)
                {
                    return new WatchStart(null, [], $"too old resource version: {from} ({_compactedThrough})");
                }

                var index = FirstHistoryIndexAfter(from);
                initial = _history.GetRange(index, _history.Count - index);
            }

            var watcher = new NodeWatcher(labels, fields);
            _watchers.Add(watcher);
            return new WatchStart(watcher, initial, null);
        }
    }

    public void StopWatch(NodeWatcher watcher)
    {
        lock (_lock)
        {
            _watchers.Remove(watcher);
        }

        watcher.Complete();
    }

    /// <summary>Forgets all history: any watch or continue token from before now gets 410, as after an etcd compaction or apiserver restart.</summary>
    public void Compact()
    {
        lock (_lock)
        {
            _history.Clear();
            _compactedThrough = _resourceVersion;
        }
    }

    // ---------------------------------------------------------------- Namespaced (events, leases)

    public JsonObject CreateNamespaced(ResourceKind kind, string ns, JsonObject body, Action<JsonObject> normalize, Func<JsonObject, List<FieldError>> validate)
    {
        lock (_lock)
        {
            var obj = body.DeepClone().AsObject();
            var metadata = WireShape.Metadata(obj);
            AssignGeneratedName(metadata, name => _namespaced.ContainsKey(Key(kind, ns, name)));
            var name = WireShape.GetString(metadata, "name", "ObjectMeta.metadata.name") ?? "";
            SetNamespace(kind, metadata, ns);
            normalize(obj);
            var errors = validate(obj);
            if (errors.Count > 0)
            {
                throw ApiStatus.Invalid(kind, name, errors);
            }

            var key = Key(kind, ns, name);
            if (_namespaced.ContainsKey(key))
            {
                throw ApiStatus.AlreadyExists(kind, name);
            }

            metadata = WireShape.Metadata(obj);
            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = WireShape.Now();
            metadata["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
            metadata.Remove("deletionTimestamp");
            WireShape.Canonicalize(obj);
            _namespaced[key] = new StoredObject(obj, ++_sequence, WireShape.GetLabels(metadata));
            return obj.DeepClone().AsObject();
        }
    }

    public JsonObject? GetNamespaced(ResourceKind kind, string ns, string name)
    {
        lock (_lock)
        {
            return _namespaced.TryGetValue(Key(kind, ns, name), out var stored) ? stored.Value.DeepClone().AsObject() : null;
        }
    }

    public JsonObject UpdateNamespaced(ResourceKind kind, string ns, string name, Func<JsonObject, JsonObject> mutate,
        Action<JsonObject> normalize, Func<JsonObject, List<FieldError>> validate)
    {
        lock (_lock)
        {
            var key = Key(kind, ns, name);
            if (!_namespaced.TryGetValue(key, out var stored))
            {
                throw ApiStatus.NotFound(kind, name);
            }

            var old = stored.Value;
            var candidate = mutate(old.DeepClone().AsObject());
            var metadata = WireShape.Metadata(candidate);
            CheckPreconditions(kind, name, old, metadata);
            CopyServerOwnedMetadata(old, metadata);
            if (WireShape.Name(candidate) != name)
            {
                throw ApiStatus.BadRequest($"the name of the object ({WireShape.Name(candidate)}) does not match the name on the URL ({name})");
            }

            SetNamespace(kind, metadata, ns);
            normalize(candidate);
            var errors = validate(candidate);
            if (errors.Count > 0)
            {
                throw ApiStatus.Invalid(kind, name, errors);
            }

            if (JsonNode.DeepEquals(candidate, old))
            {
                return old.DeepClone().AsObject();
            }

            if (metadata["deletionTimestamp"] is not null
                && WireShape.GetStringList(metadata, "finalizers", "ObjectMeta.metadata.finalizers").Count == 0)
            {
                // As for nodes: the last finalizer gone from a terminating object deletes it.
                _namespaced.Remove(key);
                _resourceVersion++;
                return candidate.DeepClone().AsObject();
            }

            WireShape.Metadata(candidate)["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
            _namespaced[key] = stored with { Value = candidate, Labels = WireShape.GetLabels(WireShape.Metadata(candidate)) };
            return candidate.DeepClone().AsObject();
        }
    }

    public JsonObject DeleteNamespaced(ResourceKind kind, string ns, string name)
    {
        lock (_lock)
        {
            var key = Key(kind, ns, name);
            if (!_namespaced.TryGetValue(key, out var stored))
            {
                throw ApiStatus.NotFound(kind, name);
            }

            var storedMetadata = WireShape.Metadata(stored.Value);
            if (WireShape.GetStringList(storedMetadata, "finalizers", "ObjectMeta.metadata.finalizers").Count > 0)
            {
                // Finalizers hold the object: it only becomes terminating (a second delete changes nothing).
                if (storedMetadata["deletionTimestamp"] is null)
                {
                    var terminating = stored.Value.DeepClone().AsObject();
                    WireShape.Metadata(terminating)["deletionTimestamp"] = WireShape.Now();
                    WireShape.Metadata(terminating)["deletionGracePeriodSeconds"] = 0;
                    WireShape.Metadata(terminating)["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
                    _namespaced[key] = stored with { Value = terminating };
                    return terminating.DeepClone().AsObject();
                }

                return stored.Value.DeepClone().AsObject();
            }

            _namespaced.Remove(key);
            _resourceVersion++;
            var details = ApiStatus.Details(kind, name);
            details["uid"] = stored.Value["metadata"]?["uid"]?.DeepClone();
            return new JsonObject
            {
                ["kind"] = "Status",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject(),
                ["status"] = "Success",
                ["details"] = details,
            };
        }
    }

    private static void SetNamespace(ResourceKind kind, JsonObject metadata, string ns)
    {
        if (kind.Namespaced)
        {
            metadata["namespace"] = ns;
        }
        else
        {
            metadata.Remove("namespace");
        }
    }

    public IReadOnlyList<JsonObject> ListNamespaced(ResourceKind kind, string? ns, LabelSelector labels)
    {
        var prefix = ns is null ? kind.Plural + "/" : $"{kind.Plural}/{ns}/";
        lock (_lock)
        {
            return _namespaced
                .Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal) && labels.Matches(kv.Value.Labels))
                .OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => kv.Value.Value.DeepClone().AsObject())
                .ToList();
        }
    }

    /// <summary>Every stored object of a kind in creation order (for test assertions on events).</summary>
    public IReadOnlyList<JsonObject> AllNamespacedInCreationOrder(ResourceKind kind)
    {
        var prefix = kind.Plural + "/";
        lock (_lock)
        {
            return _namespaced.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                .OrderBy(kv => kv.Value.Sequence)
                .Select(kv => kv.Value.Value.DeepClone().AsObject())
                .ToList();
        }
    }

    // ---------------------------------------------------------------- internals

    public static long ParseResourceVersion(string value) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var rv)
            ? rv
            : throw ApiStatus.BadRequest($"Invalid value: \"{value}\": resourceVersion must be a non-negative integer");

    private static string Key(ResourceKind kind, string ns, string name) => $"{kind.Plural}/{ns}/{name}";

    private static void AssignGeneratedName(JsonObject metadata, Func<string, bool> exists)
    {
        var name = WireShape.GetString(metadata, "name", "ObjectMeta.metadata.name") ?? "";
        var generateName = WireShape.GetString(metadata, "generateName", "ObjectMeta.metadata.generateName") ?? "";
        if (name.Length > 0 || generateName.Length == 0)
        {
            return;
        }

        // Upstream truncates the prefix so the generated name stays within 63 characters.
        var prefix = generateName.Length > 58 ? generateName[..58] : generateName;
        do
        {
            name = prefix + NameRules.GenerateSuffix();
        }
        while (exists(name));
        metadata["name"] = name;
    }

    private static void CheckPreconditions(ResourceKind kind, string name, JsonObject old, JsonObject metadata)
    {
        var oldMetadata = WireShape.Metadata(old);
        var requestedRv = WireShape.GetString(metadata, "resourceVersion", "ObjectMeta.metadata.resourceVersion") ?? "";
        if (requestedRv.Length > 0 && requestedRv != WireShape.ResourceVersion(old))
        {
            throw ApiStatus.Conflict(kind, name);
        }

        var uid = WireShape.GetString(metadata, "uid", "ObjectMeta.metadata.uid") ?? "";
        var oldUid = oldMetadata["uid"]?.GetValue<string>() ?? "";
        if (uid.Length > 0 && uid != oldUid)
        {
            throw new ApiStatusException(ApiStatus.Failure(409, "Conflict",
                $"Operation cannot be fulfilled on {kind.QualifiedResource} \"{name}\": Precondition failed: UID in precondition: {uid}, UID in object meta: {oldUid}",
                ApiStatus.Details(kind, name)));
        }
    }

    /// <summary>Clients cannot set uid, creationTimestamp, deletion fields or resourceVersion; the server keeps its own.</summary>
    private static void CopyServerOwnedMetadata(JsonObject old, JsonObject metadata)
    {
        var oldMetadata = WireShape.Metadata(old);
        foreach (var key in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "resourceVersion", "namespace" })
        {
            if (oldMetadata[key] is { } value)
            {
                metadata[key] = value.DeepClone();
            }
            else
            {
                metadata.Remove(key);
            }
        }
    }

    private void RemoveNode(string name, JsonObject old, IReadOnlyDictionary<string, string> labels)
    {
        _nodes.Remove(name);
        var tombstone = old.DeepClone().AsObject();
        WireShape.Metadata(tombstone)["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
        Record("DELETED", name, tombstone, labels, old, labels);
    }

    private void Record(string type, string name, JsonObject obj, IReadOnlyDictionary<string, string> labels,
        JsonObject? previous, IReadOnlyDictionary<string, string>? previousLabels)
    {
        var entry = new HistoryEntry(_resourceVersion, type, name, obj.ToJsonString(), labels, previousLabels, obj, previous);
        _history.Add(entry);
        if (_history.Count > _historyLimit)
        {
            var drop = _historyLimit / 10;
            _compactedThrough = _history[drop - 1].ResourceVersion;
            _history.RemoveRange(0, drop);
        }

        foreach (var watcher in _watchers)
        {
            watcher.Offer(entry);
        }
    }

    private int FirstHistoryIndexAfter(long resourceVersion)
    {
        int lo = 0, hi = _history.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_history[mid].ResourceVersion <= resourceVersion)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Node state at a past resourceVersion: the current state with newer history undone.</summary>
    private List<(string Name, JsonObject Value, IReadOnlyDictionary<string, string> Labels)> SnapshotAt(long resourceVersion)
    {
        var state = _nodes.ToDictionary(kv => kv.Key, kv => (kv.Value.Value, kv.Value.Labels), StringComparer.Ordinal);
        for (var i = _history.Count - 1; i >= 0 && _history[i].ResourceVersion > resourceVersion; i--)
        {
            var entry = _history[i];
            if (entry.Type == "ADDED" || entry.Previous is null)
            {
                state.Remove(entry.Name);
            }
            else
            {
                state[entry.Name] = (entry.Previous, entry.PreviousLabels ?? entry.Labels);
            }
        }

        return state.Select(kv => (kv.Key, kv.Value.Value, kv.Value.Labels)).ToList();
    }
}
