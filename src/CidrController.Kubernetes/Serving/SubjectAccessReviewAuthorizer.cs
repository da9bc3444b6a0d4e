using k8s;
using k8s.Models;

namespace CidrController.Kubernetes.Serving;

/// <summary>
/// Delegated authorization: the API server decides whether a user may use a non-resource URL (SubjectAccessReview),
/// so RBAC rules such as <c>nonResourceURLs: ["/metrics"], verbs: ["get"]</c> govern who reads the metrics.
/// </summary>
internal sealed class SubjectAccessReviewAuthorizer(IKubernetes client, TimeSpan allowedTtl, TimeSpan deniedTtl, TimeProvider time)
{
    private readonly ExpiringCache<string, bool> _cache = new(time);

    /// <summary>True when RBAC allows <paramref name="user"/> to <paramref name="verb"/> <paramref name="path"/>. API failures throw.</summary>
    public async Task<bool> IsAllowedAsync(AuthenticatedUser user, string verb, string path, CancellationToken cancellationToken)
    {
        var key = string.Join('\n', user.Name, user.Uid ?? "", string.Join(',', user.Groups), verb, path);
        if (_cache.TryGet(key, out var cached))
        {
            return cached;
        }

        var review = await client.AuthorizationV1.CreateSubjectAccessReviewAsync(
            new V1SubjectAccessReview
            {
                Spec = new V1SubjectAccessReviewSpec
                {
                    User = user.Name,
                    Uid = user.Uid,
                    Groups = [.. user.Groups],
                    Extra = user.Extra.ToDictionary(e => e.Key, e => (IList<string>)[.. e.Value]),
                    NonResourceAttributes = new V1NonResourceAttributes { Path = path, Verb = verb },
                },
            },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        var allowed = review.Status?.Allowed == true;
        _cache.Set(key, allowed, allowed ? allowedTtl : deniedTtl);
        return allowed;
    }
}
