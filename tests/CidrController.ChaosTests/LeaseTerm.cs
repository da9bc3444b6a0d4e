namespace CidrController.ChaosTests;

/// <summary>
/// A lease term: from the first successful lease write naming <see cref="Holder"/> after a write naming anyone
/// else (the acquisition), until the first successful write naming someone else or nobody (a takeover after
/// expiry, or a release). Times are the API server's, so no clock skew enters.
/// </summary>
internal sealed record LeaseTerm(string Holder, DateTimeOffset Start, DateTimeOffset? End)
{
    public bool Covers(DateTimeOffset time) => time >= Start && (End is null || time < End);
}
