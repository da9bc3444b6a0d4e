namespace CidrController.Kubernetes.Serving;

/// <summary>The serving certificate cannot be loaded or written at start: an operator error the process cannot retry away.</summary>
internal sealed class ServingCertificateException(string message, Exception? inner = null) : Exception(message, inner);
