using System.Text.Json.Nodes;

namespace CidrController.ApiEmulator.Tests;

/// <summary>A watch response read line by line in the background, for tests that write while watching.</summary>
internal sealed class WatchStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly Task _reader;
    private readonly Lock _lock = new();
    private readonly List<JsonObject> _events = [];
    private readonly SemaphoreSlim _arrived = new(0);

    private WatchStream(HttpResponseMessage response, Stream stream)
    {
        _response = response;
        _reader = Task.Run(async () =>
        {
            try
            {
                using var reader = new StreamReader(stream);
                while (await reader.ReadLineAsync() is { } line)
                {
                    if (line.Length > 0)
                    {
                        lock (_lock)
                        {
                            _events.Add(JsonNode.Parse(line)!.AsObject());
                        }

                        _arrived.Release();
                    }
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException or ObjectDisposedException)
            {
                Aborted = true;
            }
            finally
            {
                Ended = true;
                _arrived.Release();
            }
        });
    }

    public int StatusCode => (int)_response.StatusCode;

    public bool Ended { get; private set; }

    /// <summary>True when the connection broke instead of ending cleanly.</summary>
    public bool Aborted { get; private set; }

    public IReadOnlyList<JsonObject> Events
    {
        get
        {
            lock (_lock)
            {
                return _events.ToList();
            }
        }
    }

    public static async Task<WatchStream> OpenAsync(HttpClient client, string path)
    {
        var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseHeadersRead);
        return new WatchStream(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>Waits until at least <paramref name="count"/> events of the given types (null = any) arrived or the stream ended.</summary>
    public async Task<IReadOnlyList<JsonObject>> WaitForAsync(int count, string? type = null, int timeoutMs = 5000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (true)
        {
            var matching = Events.Where(e => type is null || e["type"]!.ToString() == type).ToList();
            if (matching.Count >= count || Ended || DateTime.UtcNow > deadline)
            {
                return matching;
            }

            await _arrived.WaitAsync(TimeSpan.FromMilliseconds(50));
        }
    }

    public async Task WaitForEndAsync(int timeoutMs = 5000) => await _reader.WaitAsync(TimeSpan.FromMilliseconds(timeoutMs));

    public async ValueTask DisposeAsync()
    {
        _response.Dispose();
        try
        {
            await _reader.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            // The reader is stuck on a dead connection; the test is over anyway.
        }

        _arrived.Dispose();
    }
}
