namespace CidrController.Kubernetes.Serving;

/// <summary>Who a bearer token belongs to, as the API server's TokenReview answered.</summary>
internal sealed record AuthenticatedUser(string Name, string? Uid, IReadOnlyList<string> Groups, IReadOnlyDictionary<string, IReadOnlyList<string>> Extra);
