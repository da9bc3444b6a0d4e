using System.Text.Json;

using k8s;
using k8s.Models;

namespace CidrController.Kubernetes.Nodes;

/// <summary>
/// Reads Node JSON (a Node, a NodeList, a watch event line) straight into <see cref="ObservedNode"/>: name, uid,
/// resourceVersion, deletionTimestamp and spec.podCIDR(s); everything else (status, images, labels, managedFields)
/// is skipped by the tokenizer without being materialized. Deserializing whole V1Node objects cost about half of
/// the controller's CPU per allocation and most of its garbage. Unknown fields are ignored, as client-go does;
/// malformed JSON throws <see cref="JsonException"/>, as KubernetesClient's deserializer would.
/// </summary>
internal static class NodeJson
{
    public static ObservedNode ParseNode(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        var node = ReadNode(ref reader, out _) ?? throw new JsonException("a Node without metadata.name");
        return node;
    }

    public static NodeListPage ParseList(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        Expect(ref reader, JsonTokenType.StartObject);
        var items = new List<ObservedNode>();
        string? continueToken = null;
        string? resourceVersion = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("metadata"u8))
            {
                reader.Read();
                ReadListMetadata(ref reader, ref continueToken, ref resourceVersion);
            }
            else if (reader.ValueTextEquals("items"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                Expect(ref reader, JsonTokenType.StartArray);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadNode(ref reader, out _) ?? throw new JsonException("a listed Node without metadata.name"));
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new NodeListPage(items, continueToken, resourceVersion);
    }

    /// <summary>One watch line: {"type":…,"object":…}. An ERROR event's object is a Status.</summary>
    public static NodeWatchEvent ParseWatchEvent(ReadOnlySpan<byte> line)
    {
        var type = ReadEventType(line);
        var reader = new Utf8JsonReader(line);
        reader.Read();
        Expect(ref reader, JsonTokenType.StartObject);
        while (NextProperty(ref reader))
        {
            if (!reader.ValueTextEquals("object"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            reader.Read();
            if (type == WatchEventType.Error)
            {
                return new NodeWatchEvent(type, null, null, ReadStatus(ref reader));
            }

            var node = ReadNode(ref reader, out var resourceVersion);
            if (node is null && type != WatchEventType.Bookmark)
            {
                throw new JsonException($"a {type} watch event for a Node without metadata.name");
            }

            return new NodeWatchEvent(type, type == WatchEventType.Bookmark ? null : node, resourceVersion, null);
        }

        throw new JsonException("a watch event without an object");
    }

    private static WatchEventType ReadEventType(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        reader.Read();
        Expect(ref reader, JsonTokenType.StartObject);
        while (NextProperty(ref reader))
        {
            if (!reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            reader.Read();
            return reader.GetString() switch
            {
                "ADDED" => WatchEventType.Added,
                "MODIFIED" => WatchEventType.Modified,
                "DELETED" => WatchEventType.Deleted,
                "BOOKMARK" => WatchEventType.Bookmark,
                "ERROR" => WatchEventType.Error,
                var other => throw new JsonException($"unknown watch event type \"{other}\""),
            };
        }

        throw new JsonException("a watch event without a type");
    }

    /// <summary>Reads the object the reader is on; null when it has no metadata.name (a bookmark).</summary>
    private static ObservedNode? ReadNode(ref Utf8JsonReader reader, out string? resourceVersion)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        string? name = null;
        string? uid = null;
        string? podCidr = null;
        string[]? podCidrs = null;
        var deleting = false;
        Dictionary<string, string>? labels = null;
        resourceVersion = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("metadata"u8))
            {
                reader.Read();
                ReadNodeMetadata(ref reader, ref name, ref uid, ref resourceVersion, ref deleting, ref labels);
            }
            else if (reader.ValueTextEquals("spec"u8))
            {
                reader.Read();
                ReadSpec(ref reader, ref podCidr, ref podCidrs);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        // As ObservedNode.From: podCIDRs when set, else the single podCIDR; parsed here, once.
        var cidrs = podCidrs is { Length: > 0 }
            ? Array.ConvertAll(podCidrs, PodCidr.Parse)
            : string.IsNullOrEmpty(podCidr) ? [] : [PodCidr.Parse(podCidr)];
        var node = new ObservedNode(name, uid ?? "", cidrs, deleting);
        return cidrs.Length == 0 && labels is not null ? node with { Labels = labels } : node;
    }

    private static void ReadNodeMetadata(ref Utf8JsonReader reader, ref string? name, ref string? uid, ref string? resourceVersion, ref bool deleting, ref Dictionary<string, string>? labels)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        Expect(ref reader, JsonTokenType.StartObject);
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                name = reader.GetString();
            }
            else if (reader.ValueTextEquals("uid"u8))
            {
                reader.Read();
                uid = reader.GetString();
            }
            else if (reader.ValueTextEquals("resourceVersion"u8))
            {
                reader.Read();
                resourceVersion = reader.GetString();
            }
            else if (reader.ValueTextEquals("deletionTimestamp"u8))
            {
                reader.Read();
                deleting = reader.TokenType != JsonTokenType.Null;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("labels"u8))
            {
                // Read before spec is known, so kept for every node here; ReadNode drops them once it sees podCIDRs.
                reader.Read();
                labels = ReadLabels(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static void ReadSpec(ref Utf8JsonReader reader, ref string? podCidr, ref string[]? podCidrs)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        Expect(ref reader, JsonTokenType.StartObject);
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("podCIDR"u8))
            {
                reader.Read();
                podCidr = reader.GetString();
            }
            else if (reader.ValueTextEquals("podCIDRs"u8))
            {
                reader.Read();
                podCidrs = ReadStrings(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static Dictionary<string, string>? ReadLabels(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Expect(ref reader, JsonTokenType.StartObject);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        while (NextProperty(ref reader))
        {
            var key = reader.GetString()!;
            reader.Read();
            labels[key] = reader.GetString() ?? "";
        }

        return labels;
    }

    private static string[]? ReadStrings(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Expect(ref reader, JsonTokenType.StartArray);
        var first = (string?)null;
        List<string>? more = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var value = reader.GetString() ?? throw new JsonException("null in spec.podCIDRs");
            if (first is null)
            {
                first = value;
            }
            else
            {
                (more ??= []).Add(value);
            }
        }

        return first is null ? [] : more is null ? [first] : [first, .. more];
    }

    private static void ReadListMetadata(ref Utf8JsonReader reader, ref string? continueToken, ref string? resourceVersion)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        Expect(ref reader, JsonTokenType.StartObject);
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("continue"u8))
            {
                reader.Read();
                continueToken = reader.GetString();
            }
            else if (reader.ValueTextEquals("resourceVersion"u8))
            {
                reader.Read();
                resourceVersion = reader.GetString();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static V1Status ReadStatus(ref Utf8JsonReader reader)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        var status = new V1Status();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                status.Code = reader.TokenType == JsonTokenType.Number ? reader.GetInt32() : null;
            }
            else if (reader.ValueTextEquals("reason"u8))
            {
                reader.Read();
                status.Reason = reader.GetString();
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                status.Message = reader.GetString();
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                reader.Read();
                status.Status = reader.GetString();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return status;
    }

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("truncated JSON");
        }

        return reader.TokenType switch
        {
            JsonTokenType.PropertyName => true,
            JsonTokenType.EndObject => false,
            _ => throw new JsonException($"unexpected {reader.TokenType} in an object"),
        };
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (reader.TokenType != type)
        {
            throw new JsonException($"expected {type}, found {reader.TokenType}");
        }
    }
}
