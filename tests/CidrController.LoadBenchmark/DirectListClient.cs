using System.Diagnostics;
using System.Text.Json;

using CidrController.ApiEmulator;

namespace CidrController.LoadBenchmark;

/// <summary>
/// The emulator's own floor for a restart: one client listing every node in pages of 500 (as the controller does)
/// and reading each page whole, decoding nothing but the continue token. What the controller adds on top of
/// this is its own start-up, decoding and adoption.
/// </summary>
public static class DirectListClient
{
    public static async Task<TimeSpan> MeasureAsync(KubeApiEmulator emulator)
    {
        using var http = emulator.CreateHttpClient();
        http.Timeout = TimeSpan.FromMinutes(2);
        var started = Stopwatch.GetTimestamp();
        string? continueToken = null;
        do
        {
            var uri = continueToken is null ? "api/v1/nodes?limit=500" : $"api/v1/nodes?limit=500&continue={Uri.EscapeDataString(continueToken)}";
            var page = await http.GetByteArrayAsync(new Uri(uri, UriKind.Relative));
            continueToken = ContinueToken(page);
        }
        while (!string.IsNullOrEmpty(continueToken));

        return Stopwatch.GetElapsedTime(started);
    }

    private static string? ContinueToken(byte[] page)
    {
        using var document = JsonDocument.Parse(page);
        return document.RootElement.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("continue", out var token)
            ? token.GetString()
            : null;
    }
}
