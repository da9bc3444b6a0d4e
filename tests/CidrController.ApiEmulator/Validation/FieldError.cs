using System.Text;

namespace CidrController.ApiEmulator.Validation;

/// <summary>
/// A validation failure shaped like apimachinery's field.Error: <see cref="Reason"/> is the cause reason
/// (FieldValueInvalid, ...), <see cref="Message"/> the cause message ("Invalid value: ...: detail").
/// </summary>
internal sealed record FieldError(string Reason, string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";

    public static FieldError Invalid(string field, string goValue, string detail) =>
        new("FieldValueInvalid", field, $"Invalid value: {goValue}: {detail}");

    public static FieldError Required(string field, string detail = "") =>
        new("FieldValueRequired", field, detail.Length == 0 ? "Required value" : $"Required value: {detail}");

    public static FieldError Forbidden(string field, string detail) =>
        new("FieldValueForbidden", field, $"Forbidden: {detail}");

    public static FieldError Duplicate(string field, string goValue) =>
        new("FieldValueDuplicate", field, $"Duplicate value: {goValue}");

    public static FieldError Internal(string field, string detail) =>
        new("InternalError", field, $"Internal error: {detail}");

    /// <summary>Go's %#v of a string: a double-quoted literal.</summary>
    public static string GoString(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                default: sb.Append(c); break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>Go's %#v of a []string, e.g. []string{"a", "b"}.</summary>
    public static string GoStringSlice(IEnumerable<string> values) =>
        "[]string{" + string.Join(", ", values.Select(GoString)) + "}";
}
