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
}
