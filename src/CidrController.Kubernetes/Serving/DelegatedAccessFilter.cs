using CidrController.Kubernetes.Configuration;

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes.Serving;

/// <summary>
/// What kube-controller-manager's secure port does before a handler runs: paths on the always-allow list pass
/// without credentials (probes carry no token); anything else needs a bearer token the API server accepts
/// (else 401) whose user RBAC allows the path and verb (else 403). Only HTTPS requests are filtered: the
/// plain-HTTP listener is the explicit, documented opt-out. Unlike kube-controller-manager, an always-allowed
/// path ignores a token entirely, so a TokenReview outage never fails a liveness probe.
/// </summary>
internal sealed partial class DelegatedAccessFilter(
    ServingOptions options, TokenReviewAuthenticator authenticator, SubjectAccessReviewAuthorizer authorizer, ILogger<DelegatedAccessFilter> logger)
{
    private const string BearerPrefix = "Bearer ";

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var path = context.Request.Path.HasValue ? context.Request.Path.Value! : "/";
        if (!context.Request.IsHttps || IsAlwaysAllowed(path))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        var token = header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? header[BearerPrefix.Length..].Trim() : "";
        if (token.Length == 0)
        {
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized: a bearer token is required").ConfigureAwait(false);
            return;
        }

        AuthenticatedUser? user;
        try
        {
            user = await authenticator.AuthenticateAsync(token, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // As the API server's own delegated authenticator: an error is not an identity, so 401.
            LogReviewFailed(logger, "TokenReview", e.GetType().Name, e.Message);
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized: the token could not be reviewed").ConfigureAwait(false);
            return;
        }

        if (user is null)
        {
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, "Unauthorized").ConfigureAwait(false);
            return;
        }

        var verb = Verb(context.Request.Method);
        bool allowed;
        try
        {
            allowed = await authorizer.IsAllowedAsync(user, verb, path, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not the caller's fault and worth retrying, unlike a denial: 503, never a 500 with a stack trace.
            LogReviewFailed(logger, "SubjectAccessReview", e.GetType().Name, e.Message);
            await RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, "authorization could not be checked; retry later").ConfigureAwait(false);
            return;
        }

        if (!allowed)
        {
            await RefuseAsync(context, StatusCodes.Status403Forbidden, $"Forbidden: user \"{user.Name}\" may not {verb} this path").ConfigureAwait(false);
            return;
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary>Exact match, or a prefix match for an entry ending in <c>*</c>, as kube-controller-manager reads the list.</summary>
    private bool IsAlwaysAllowed(string path) => options.AlwaysAllowPaths.Any(allowed => allowed.EndsWith('*')
        ? path.StartsWith(allowed[..^1], StringComparison.Ordinal)
        : string.Equals(path, allowed, StringComparison.Ordinal));

    /// <summary>The API server's verb for a non-resource request: the HTTP method in lower case.</summary>
    private static string Verb(string method) => method.ToLowerInvariant();

    private static async Task RefuseAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message + "\n", context.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Review} failed, refusing the request: {Error}: {Detail}")]
    private static partial void LogReviewFailed(ILogger logger, string review, string error, string detail);
}
