using System.Text.Json;

using k8s.LeaderElection;

namespace CidrController.Kubernetes.Leadership;

/// <summary>
/// The Lease lock as the elector sees it, with an answer that does not decode turned into a failed attempt.
/// KubernetesClient's lock and elector expect only HTTP errors: a JsonException from a garbled Lease would end the
/// elector's loop, and with it the controller, for what is only a bad answer to retry. A read that does not decode
/// reads as "no record" (the elector then tries a create, which the existing Lease refuses: a failed attempt); a
/// write whose answer does not decode reads as not done (the next read shows what the server holds). Either way the
/// elector retries after its retry period, and <c>failed</c> makes the failure visible.
/// </summary>
internal sealed class MalformedAnswerLeaseLock(ILock inner, Action<Exception> failed) : ILock
{
    public string Identity => inner.Identity;

    public string Describe() => inner.Describe();

    public Task<LeaderElectionRecord> GetAsync(CancellationToken cancellationToken = default) =>
        OrWhenMalformedAsync(() => inner.GetAsync(cancellationToken), null!);

    public Task<bool> CreateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default) =>
        OrWhenMalformedAsync(() => inner.CreateAsync(record, cancellationToken), false);

    public Task<bool> UpdateAsync(LeaderElectionRecord record, CancellationToken cancellationToken = default) =>
        OrWhenMalformedAsync(() => inner.UpdateAsync(record, cancellationToken), false);

    /// <summary>What <paramref name="call"/> returns, or <paramref name="whenMalformed"/> (reported) when its answer did not decode.</summary>
    private async Task<T> OrWhenMalformedAsync<T>(Func<Task<T>> call, T whenMalformed)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            failed(e);
            return whenMalformed;
        }
    }
}
