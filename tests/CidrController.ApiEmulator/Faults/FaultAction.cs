namespace CidrController.ApiEmulator.Faults;

/// <summary>What an injected fault does to a matching request. Create one with the factory methods.</summary>
public abstract record FaultAction
{
    /// <summary>Answer with this status and a real-looking Status body instead of handling the request (429 gets Retry-After).</summary>
    public static FaultAction RespondWith(int statusCode, int? retryAfterSeconds = null) => new StatusFault(statusCode, retryAfterSeconds);

    /// <summary>Handle the request normally, but only after this delay.</summary>
    public static FaultAction Delay(TimeSpan delay) => new DelayFault(delay);

    /// <summary>Apply the write, then never answer (until the client gives up): a timeout after the write took effect.</summary>
    public static FaultAction ApplyThenHang() => new ApplyThenHangFault();

    /// <summary>Apply the write, then close the connection without a response.</summary>
    public static FaultAction ApplyThenClose() => new ApplyThenCloseFault();

    /// <summary>
    /// Handle the request (a write is applied), then send a complete HTTP response whose JSON body is cut in half
    /// (Content-Length matches the cut body). On a watch: the stream's first event line is cut and the stream ends.
    /// </summary>
    public static FaultAction TruncateBody() => new TruncatedBodyFault();

    /// <summary>A watch answered 200 with headers flushed, then nothing at all (no events, no bookmarks) until the client gives up.</summary>
    public static FaultAction SilentWatch() => new SilentWatchFault();

    /// <summary>A watch answered 200 whose stream ends at once without a single line.</summary>
    public static FaultAction EmptyWatch() => new EmptyWatchFault();

    /// <summary>
    /// Handle the request (a write is applied), then answer 200 with a complete body that does not decode as what was
    /// asked for (see <see cref="MalformedBody"/>). On a watch: the first line is such an event, then the stream goes
    /// on as usual (a client must not trust it after that).
    /// </summary>
    public static FaultAction MalformBody(MalformedBody kind) => new MalformedBodyFault(kind);

    /// <summary>Handle the request, then add fields no client knows to the JSON answer (a newer server's objects).</summary>
    public static FaultAction AddUnknownFields() => new UnknownFieldsFault();
}
