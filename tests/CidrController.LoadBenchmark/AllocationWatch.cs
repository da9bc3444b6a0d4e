using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

using CidrController.ApiEmulator;

namespace CidrController.LoadBenchmark;

/// <summary>
/// A watch on the API server's nodes (the emulator's or a real one), as any other client would see them: records, for every node, when a
/// podCIDR first became visible and what it was. Timestamps are taken when the event line arrives, so
/// "allocated" means "visible on a watch", not "the controller thinks it is done".
/// </summary>
public sealed class AllocationWatch : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Allocation> _allocated = new(StringComparer.Ordinal);
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private Task _reading = Task.CompletedTask;
    private Exception? _failure;
    private string _resourceVersion = "";

    private AllocationWatch(HttpClient http) => _http = http;

    public int Count => _allocated.Count;

    public IReadOnlyDictionary<string, Allocation> Allocated => _allocated;

    /// <summary>
    /// How often the server closed the stream and the watch resumed from the last resourceVersion it had seen. A real
    /// kube-apiserver drops a watcher that falls behind (this benchmark's, on a loaded machine); events that arrive
    /// after a resume carry the resume's time, so a run with resumes overstates some latencies.
    /// </summary>
    public int Resumes { get; private set; }

    /// <summary>Starts watching from the emulator's current resourceVersion; returns once the stream is open.</summary>
    public static Task<AllocationWatch> StartAsync(KubeApiEmulator emulator) =>
        StartAsync(emulator.CreateHttpClient(), emulator.CurrentResourceVersion.ToString(CultureInfo.InvariantCulture));

    /// <summary>Watches nodes through <paramref name="http"/> (which it then owns) from <paramref name="resourceVersion"/>.</summary>
    public static async Task<AllocationWatch> StartAsync(HttpClient http, string resourceVersion)
    {
        http.Timeout = Timeout.InfiniteTimeSpan;
        var watch = new AllocationWatch(http) { _resourceVersion = resourceVersion };
        var response = await watch.OpenAsync();
        watch._reading = Task.Run(() => watch.ReadAsync(response));
        return watch;
    }

    /// <summary>Waits until <paramref name="count"/> nodes have podCIDRs; throws on timeout or a broken stream.</summary>
    public async Task WaitForCountAsync(int count, TimeSpan timeout, Func<bool>? stillRunning = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (_allocated.Count < count)
        {
            if (_failure is not null)
            {
                throw new BenchmarkFailedException($"the benchmark's own watch failed: {_failure.Message}");
            }

            if (stillRunning is not null && !stillRunning())
            {
                throw new BenchmarkFailedException($"the allocator exited with {_allocated.Count} of {count} nodes allocated");
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new BenchmarkFailedException($"only {_allocated.Count} of {count} nodes got a podCIDR within {timeout.TotalSeconds:F0} s");
            }

            await Task.Delay(2);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reading;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
        }

        _http.Dispose();
        _stop.Dispose();
    }

    private async Task<HttpResponseMessage> OpenAsync()
    {
        var response = await _http.GetAsync(new Uri($"api/v1/nodes?watch=true&resourceVersion={Uri.EscapeDataString(_resourceVersion)}", UriKind.Relative),
            HttpCompletionOption.ResponseHeadersRead, _stop.Token);
        response.EnsureSuccessStatusCode();
        return response;
    }

    /// <summary>Reads events until stopped; a stream the server ends is resumed from the last resourceVersion seen.</summary>
    private async Task ReadAsync(HttpResponseMessage response)
    {
        try
        {
            while (true)
            {
                using (response)
                {
                    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(_stop.Token));
                    while (await reader.ReadLineAsync(_stop.Token) is { } line)
                    {
                        var arrived = Stopwatch.GetTimestamp();
                        Record(line, arrived);
                    }
                }

                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                Resumes++;
                response = await OpenAsync();
            }
        }
        catch (Exception e) when (!_stop.IsCancellationRequested)
        {
            _failure = e;
        }
    }

    private void Record(string line, long arrived)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var type = root.GetProperty("type").GetString();
        if (type == "ERROR")
        {
            // 410 Expired: the resume point is gone; what was missed cannot be timed any more.
            throw new IOException($"the watch failed: {root.GetProperty("object")}");
        }

        var node = root.GetProperty("object");
        if (node.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("resourceVersion", out var version))
        {
            _resourceVersion = version.GetString() ?? _resourceVersion;
        }

        if (type is not ("ADDED" or "MODIFIED"))
        {
            return;
        }

        if (!node.TryGetProperty("spec", out var spec) || !spec.TryGetProperty("podCIDRs", out var cidrs) || cidrs.GetArrayLength() == 0)
        {
            return;
        }

        var name = node.GetProperty("metadata").GetProperty("name").GetString()!;
        _allocated.TryAdd(name, new Allocation(arrived, string.Join(",", cidrs.EnumerateArray().Select(c => c.GetString()))));
    }

    /// <summary>When (Stopwatch timestamp) a node's podCIDRs were first seen, and what they were.</summary>
    public readonly record struct Allocation(long SeenAt, string Cidrs);
}
