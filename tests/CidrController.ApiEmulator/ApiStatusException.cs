using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator;

/// <summary>A request the emulator refuses, carrying the exact Status body the real API server would send.</summary>
public sealed class ApiStatusException : Exception
{
    public ApiStatusException(JsonObject status)
        : base(status["message"]?.GetValue<string>() ?? "API error")
    {
        Status = status;
        Code = status["code"]?.GetValue<int>() ?? 500;
    }

    public JsonObject Status { get; }

    public int Code { get; }

    public string? Reason => Status["reason"]?.GetValue<string>();
}
