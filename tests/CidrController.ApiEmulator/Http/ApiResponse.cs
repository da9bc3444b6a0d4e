using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Http;

internal sealed record ApiResponse(int StatusCode, JsonNode Body);
