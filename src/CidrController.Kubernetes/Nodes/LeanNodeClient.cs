using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

using CidrController.Kubernetes.Api;

using k8s;

namespace CidrController.Kubernetes.Nodes;

/// <summary>
/// The Node calls the controller makes — list pages, one watch, get, the podCIDR patch — over
/// <see cref="ControllerKubernetesClient"/>'s raw path, decoded by <see cref="NodeJson"/>. Same URLs, query
/// parameters and failure types as KubernetesClient's generated calls; only the decoding differs.
/// </summary>
internal sealed class LeanNodeClient(ControllerKubernetesClient client)
{
    private const int InitialLineBuffer = 64 * 1024;

    public async Task<NodeListPage> ListAsync(int limit, string? continueToken, CancellationToken cancellationToken)
    {
        var query = new StringBuilder("api/v1/nodes?limit=").Append(limit.ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(continueToken))
        {
            query.Append("&continue=").Append(Uri.EscapeDataString(continueToken));
        }

        return await SendAsync(HttpMethod.Get, query.ToString(), null, NodeJson.ParseList, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GET one node; a 404 throws <see cref="k8s.Autorest.HttpOperationException"/> like any other error status.</summary>
    public async Task<ObservedNode> ReadAsync(string name, CancellationToken cancellationToken)
    {
        return await SendAsync(HttpMethod.Get, $"api/v1/nodes/{Uri.EscapeDataString(name)}", null, NodeJson.ParseNode, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A strategic merge patch; returns the node as the server stored it.</summary>
    public async Task<ObservedNode> PatchAsync(string name, string strategicMergePatch, CancellationToken cancellationToken)
    {
        using var content = new StringContent(strategicMergePatch, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/strategic-merge-patch+json") { CharSet = "utf-8" };
        return await SendAsync(HttpMethod.Patch, $"api/v1/nodes/{Uri.EscapeDataString(name)}", content, NodeJson.ParseNode, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Watches nodes from <paramref name="resourceVersion"/> with bookmarks until the server ends the stream. As
    /// KubernetesClient's watcher: an ERROR event (410 Expired arrives as HTTP 200 and one ERROR line) or a line
    /// that does not parse goes to <paramref name="onError"/> and is not yielded; the enumeration ends quietly
    /// when the stream does. Unlike it, a line that does not parse also ends the enumeration (it is reported as a
    /// malformed answer): a stream that lost an event can no longer be trusted, and the caller relists.
    /// No request timeout: a watch is long-lived; the caller cancels an idle one.
    /// </summary>
    public async IAsyncEnumerable<NodeWatchEvent> WatchAsync(string resourceVersion, int timeoutSeconds, Action<Exception> onError,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var uri = $"api/v1/nodes?allowWatchBookmarks=true&resourceVersion={Uri.EscapeDataString(resourceVersion)}&timeoutSeconds={timeoutSeconds.ToString(CultureInfo.InvariantCulture)}&watch=true";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseUri, uri));
        using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var lines = new LineBuffer(InitialLineBuffer);
            var decodedAny = false;
            var broken = false;
            void Malformed(Exception e)
            {
                broken = true;
                client.AnswerMalformed(request, e);
                onError(e);
            }

            try
            {
                while (true)
                {
                    while (lines.TryTakeLine(out var line))
                    {
                        var decoded = Decode(line, onError, Malformed);
                        if (broken)
                        {
                            yield break;
                        }

                        if (decoded is { } change)
                        {
                            if (!decodedAny)
                            {
                                decodedAny = true;
                                client.AnswerDecoded(request);
                            }

                            yield return change;
                        }
                    }

                    var read = await stream.ReadAsync(lines.FreeSpace(), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        // A last line without its newline is a truncated event: it cannot parse, and onError says so.
                        if (lines.TakeRest() is { Length: > 0 } rest && Decode(rest, onError, Malformed) is { } last)
                        {
                            yield return last;
                        }

                        yield break;
                    }

                    lines.Advance(read);
                }
            }
            finally
            {
                lines.Release();
            }
        }
    }

    /// <summary>One watch line: the event, or null for a blank line, an ERROR event (to <paramref name="onError"/>) or a line that does not decode (to <paramref name="malformed"/>).</summary>
    private static NodeWatchEvent? Decode(ReadOnlyMemory<byte> line, Action<Exception> onError, Action<Exception> malformed)
    {
        if (line.Span.Trim(" \r\t"u8).IsEmpty)
        {
            return null;
        }

        try
        {
            var decoded = NodeJson.ParseWatchEvent(line.Span);
            if (decoded.Type == WatchEventType.Error)
            {
                onError(new KubernetesException(decoded.Error!));
                return null;
            }

            return decoded;
        }
        catch (Exception e) when (ApiFailure.IsMalformedAnswer(e))
        {
            malformed(e as JsonException ?? ApiFailure.AsMalformed(e, "a node watch"));
            return null;
        }
    }

    /// <summary>
    /// Sends, reads the whole body into a pooled buffer and decodes it there: a list page of 500 nodes is megabytes,
    /// and reading it as a fresh byte[] put two large-object-heap arrays per page through the GC.
    /// </summary>
    private async Task<T> SendAsync<T>(HttpMethod method, string relativeUri, HttpContent? content, Func<ReadOnlySpan<byte>, T> decode, CancellationToken cancellationToken)
    {
        using var timeout = client.StartTimeout(cancellationToken);
        using var request = new HttpRequestMessage(method, new Uri(client.BaseUri, relativeUri)) { Content = content };
        try
        {
            using var response = await client.SendAsync(request, timeout.Token).ConfigureAwait(false);
            var length = response.Content.Headers.ContentLength;
            var buffer = ArrayPool<byte>.Shared.Rent(length is > 0 and < int.MaxValue ? (int)length : 16 * 1024);
            try
            {
                var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
                var used = 0;
                while (true)
                {
                    if (used == buffer.Length)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, used).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = bigger;
                    }

                    var read = await stream.ReadAsync(buffer.AsMemory(used), timeout.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    used += read;
                }

                T decoded;
                try
                {
                    decoded = decode(buffer.AsSpan(0, used));
                }
                catch (Exception e) when (ApiFailure.IsMalformedAnswer(e))
                {
                    // Utf8JsonReader throws InvalidOperationException for a value of the wrong type (a number where
                    // a string belongs): still a malformed answer, to be retried like any API failure, not a bug.
                    client.AnswerMalformed(request, e);
                    if (e is JsonException)
                    {
                        throw;
                    }

                    throw ApiFailure.AsMalformed(e, relativeUri);
                }

                client.AnswerDecoded(request);
                return decoded;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        catch (OperationCanceledException e) when (e is not TaskCanceledException && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Timed out while reading the body: report it the way HttpClient reports a timeout.
            throw new TaskCanceledException($"The request to {relativeUri} timed out after {client.RequestTimeout.TotalSeconds:F0} s", e);
        }
    }

    /// <summary>Bytes read from the watch stream, split at newlines; grows for a line longer than the buffer.</summary>
    private sealed class LineBuffer(int size)
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(size);
        private int _start;
        private int _end;

        public bool TryTakeLine(out ReadOnlyMemory<byte> line)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline < 0)
            {
                line = default;
                return false;
            }

            line = _buffer.AsMemory(_start, newline);
            _start += newline + 1;
            return true;
        }

        public ReadOnlyMemory<byte> TakeRest()
        {
            var rest = _buffer.AsMemory(_start, _end - _start);
            _start = _end;
            return rest;
        }

        /// <summary>Room after the unread bytes (moved to the front first; the buffer doubles when a line fills it).</summary>
        public Memory<byte> FreeSpace()
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                _buffer.AsSpan(0, _end).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }

            return _buffer.AsMemory(_end);
        }

        public void Advance(int count) => _end += count;

        public void Release() => ArrayPool<byte>.Shared.Return(_buffer);
    }
}
