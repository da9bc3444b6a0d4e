using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CidrController.ApiEmulator.Validation;

/// <summary>
/// core/v1 ConfigMap decoding and validation as upstream does it (ValidateConfigMap): a DNS-subdomain name, data and
/// binaryData values that are strings (base64 for binaryData, or the body does not decode: 400), keys of
/// <c>[-._a-zA-Z0-9]+</c> and at most 253 characters that are not "." or "..", no key in both maps, and at most
/// 1 MiB of values in total.
/// </summary>
internal static partial class ConfigMapRules
{
    /// <summary>core.MaxSecretSize, which ConfigMaps share: the values of data and binaryData together.</summary>
    public const int MaxSize = 1024 * 1024;

    private const string KeyMessage =
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

    private static readonly string[] Order = ["kind", "apiVersion", "metadata", "immutable", "data", "binaryData"];

    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex ConfigMapKey();

    /// <summary>Decodes as the typed object would: a value that is not a string is a 400 before anything else.</summary>
    public static void Normalize(JsonObject configMap)
    {
        configMap["kind"] = "ConfigMap";
        configMap["apiVersion"] = "v1";
        foreach (var key in new[] { "data", "binaryData" })
        {
            var values = StringMap(configMap, key);
            if (values is null || values.Count == 0)
            {
                // map[string]string with omitempty: an empty map is not written back.
                configMap.Remove(key);
                continue;
            }

            if (key == "binaryData")
            {
                foreach (var (_, value) in values)
                {
                    Base64Length(value!.GetValue<string>());
                }
            }
        }

        WireShape.Canonicalize(configMap);
        WireShape.Reorder(configMap, Order);
    }

    public static List<FieldError> Validate(JsonObject configMap)
    {
        var metadata = WireShape.Metadata(configMap);
        var errors = NameRules.ValidateMetadataName(
            WireShape.GetString(metadata, "name", "ObjectMeta.metadata.name") ?? "",
            WireShape.GetString(metadata, "generateName", "ObjectMeta.metadata.generateName")).ToList();
        var data = configMap["data"] as JsonObject ?? [];
        var binary = configMap["binaryData"] as JsonObject ?? [];
        long total = 0;
        foreach (var (key, value) in data)
        {
            errors.AddRange(KeyErrors("data", key));
            if (binary.ContainsKey(key))
            {
                errors.Add(FieldError.Invalid($"data[{key}]", FieldError.GoString(key), "duplicate of key present in binaryData"));
            }

            total += Encoding.UTF8.GetByteCount(value!.GetValue<string>());
        }

        foreach (var (key, value) in binary)
        {
            errors.AddRange(KeyErrors("binaryData", key));
            if (data.ContainsKey(key))
            {
                errors.Add(FieldError.Invalid($"binaryData[{key}]", FieldError.GoString(key), "duplicate of key present in data"));
            }

            total += Base64Length(value!.GetValue<string>());
        }

        if (total > MaxSize)
        {
            // field.TooLong on the empty path: the error is about the whole object.
            errors.Add(new FieldError("FieldValueTooLong", "[]", $"Too long: must have at most {MaxSize.ToString(CultureInfo.InvariantCulture)} bytes"));
        }

        return errors;
    }

    private static IEnumerable<FieldError> KeyErrors(string map, string key)
    {
        var field = $"{map}[{key}]";
        if (key.Length > 253)
        {
            yield return FieldError.Invalid(field, FieldError.GoString(key), "must be no more than 253 characters");
        }

        if (!ConfigMapKey().IsMatch(key))
        {
            yield return FieldError.Invalid(field, FieldError.GoString(key), KeyMessage);
        }

        if (key == ".")
        {
            yield return FieldError.Invalid(field, FieldError.GoString(key), "must not be '.'");
        }
        else if (key == "..")
        {
            yield return FieldError.Invalid(field, FieldError.GoString(key), "must not be '..'");
        }
        else if (key.StartsWith("..", StringComparison.Ordinal))
        {
            yield return FieldError.Invalid(field, FieldError.GoString(key), "must not start with '..'");
        }
    }

    private static JsonObject? StringMap(JsonObject configMap, string key)
    {
        var node = configMap[key];
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject map)
        {
            throw DecodeError($"json: cannot unmarshal {Kind(node)} into Go struct field ConfigMap.{key} of type map[string]{(key == "data" ? "string" : "[]uint8")}");
        }

        foreach (var (name, value) in map.ToList())
        {
            if (value is null)
            {
                // Go decodes a JSON null into a map value as the zero value.
                map[name] = "";
                continue;
            }

            if (value is not JsonValue v || !v.TryGetValue<string>(out _))
            {
                throw DecodeError($"json: cannot unmarshal {Kind(value)} into Go struct field ConfigMap.{key} of type {(key == "data" ? "string" : "[]uint8")}");
            }
        }

        return map;
    }

    private static int Base64Length(string value)
    {
        try
        {
            return Convert.FromBase64String(value).Length;
        }
        catch (FormatException)
        {
            throw DecodeError("illegal base64 data at input byte 0");
        }
    }

    private static string Kind(JsonNode? node) => node?.GetValueKind() switch
    {
        System.Text.Json.JsonValueKind.Number => "number",
        System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => "bool",
        System.Text.Json.JsonValueKind.Array => "array",
        System.Text.Json.JsonValueKind.Object => "object",
        _ => "null",
    };

    /// <summary>A body the typed decoder refuses: the real server's 400, naming the kind it could not decode into.</summary>
    private static ApiStatusException DecodeError(string detail) =>
        ApiStatus.BadRequest($"ConfigMap in version \"v1\" cannot be handled as a ConfigMap: {detail}");
}
