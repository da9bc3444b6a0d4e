using System.Security.Cryptography;
using System.Text;

using k8s;
using k8s.Models;

namespace CidrController.Kubernetes.Serving;

/// <summary>
/// Delegated authentication: the API server says whose a bearer token is (TokenReview), as kube-controller-manager
/// asks it. Answers, good and bad, are cached for the TTL under the token's SHA-256, so the token itself is never
/// kept, logged or compared outside the API server.
/// </summary>
internal sealed class TokenReviewAuthenticator(IKubernetes client, TimeSpan cacheTtl, TimeProvider time)
{
    private readonly ExpiringCache<string, AuthenticatedUser?> _cache = new(time);

    /// <summary>The token's user, or null when the API server does not accept it. API failures throw.</summary>
    public async Task<AuthenticatedUser?> AuthenticateAsync(string token, CancellationToken cancellationToken)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        if (_cache.TryGet(key, out var cached))
        {
            return cached;
        }

        var review = await client.AuthenticationV1.CreateTokenReviewAsync(
            new V1TokenReview { Spec = new V1TokenReviewSpec { Token = token } }, cancellationToken: cancellationToken).ConfigureAwait(false);
        var user = review.Status is { Authenticated: true, User: { } info }
            ? new AuthenticatedUser(
                info.Username ?? "",
                info.Uid,
                [.. info.Groups ?? []],
                (info.Extra ?? new Dictionary<string, IList<string>>()).ToDictionary(e => e.Key, e => (IReadOnlyList<string>)[.. e.Value], StringComparer.Ordinal))
            : null;
        _cache.Set(key, user, cacheTtl);
        return user;
    }
}
