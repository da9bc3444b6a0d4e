using CidrController.Kubernetes.Api;
using CidrController.Kubernetes.Configuration;
using CidrController.Kubernetes.Events;
using CidrController.Kubernetes.Health;
using CidrController.Kubernetes.Metrics;
using CidrController.Kubernetes.Retry;

using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes.Term;

/// <summary>What a leadership term is given from outside: configuration, the API, the clock and the signals.</summary>
/// <param name="RetryObserver">Sees every retry loop of the term fail and recover; null: only their own log lines.</param>
internal sealed record TermDependencies(
    ControllerOptions Options,
    ControllerKubernetesClient Client,
    NodeEventRecorder Events,
    ControllerMetrics Metrics,
    ControllerHealth Health,
    ILoggerFactory LoggerFactory,
    TimeProvider Time,
    IRetryObserver? RetryObserver = null);
