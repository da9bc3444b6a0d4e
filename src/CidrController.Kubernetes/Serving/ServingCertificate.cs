using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using Microsoft.Extensions.Logging;

namespace CidrController.Kubernetes.Serving;

/// <summary>
/// The certificate each new TLS connection gets. A given pair of files is checked at every handshake (one stat
/// per file; handshakes are a scrape or a probe every few seconds) and reloaded when either changes, so a
/// renewed certificate (cert-manager, a rotated Secret) is served without a restart. A half-written or broken
/// pair keeps the previous certificate and logs a Warning until the files are whole again.
/// </summary>
internal sealed partial class ServingCertificate
{
    private readonly string? _certificatePath;
    private readonly string? _keyPath;
    private readonly ILogger? _logger;
    private readonly Lock _lock = new();
    private (DateTime, long, DateTime, long) _stamp;
    private X509Certificate2 _current;

    private ServingCertificate(X509Certificate2 certificate, string? certificatePath = null, string? keyPath = null, ILogger? logger = null)
    {
        _current = certificate;
        _certificatePath = certificatePath;
        _keyPath = keyPath;
        _logger = logger;
        if (certificatePath is not null && keyPath is not null)
        {
            _stamp = Stamp(certificatePath, keyPath);
        }
    }

    /// <summary>A fixed certificate (self-signed, in memory or from --cert-dir).</summary>
    public static ServingCertificate Fixed(X509Certificate2 certificate) => new(certificate);

    /// <summary>The PEM pair given by --tls-cert-file/--tls-private-key-file; unreadable at start throws <see cref="ServingCertificateException"/>.</summary>
    public static ServingCertificate FromFiles(string certificatePath, string keyPath, ILogger logger)
    {
        try
        {
            return new ServingCertificate(X509Certificate2.CreateFromPemFile(certificatePath, keyPath), certificatePath, keyPath, logger);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new ServingCertificateException($"cannot load --tls-cert-file {certificatePath} with --tls-private-key-file {keyPath}: {e.Message}", e);
        }
    }

    /// <summary>The certificate for a new connection, reloaded first if the files changed.</summary>
    public X509Certificate2 Current
    {
        get
        {
            if (_certificatePath is null || _keyPath is null)
            {
                return _current;
            }

            lock (_lock)
            {
                var stamp = Stamp(_certificatePath, _keyPath);
                if (stamp == _stamp)
                {
                    return _current;
                }

                try
                {
                    _current = X509Certificate2.CreateFromPemFile(_certificatePath, _keyPath);
                    _stamp = stamp;
                    LogReloaded(_logger!, _certificatePath, _current.Subject, _current.NotAfter);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
                {
                    // Not stamped: the next handshake tries again, so a pair written in two steps is picked up once whole.
                    LogReloadFailed(_logger!, _certificatePath, e.Message);
                }

                return _current;
            }
        }
    }

    private static (DateTime, long, DateTime, long) Stamp(string certificatePath, string keyPath)
    {
        var certificate = new FileInfo(certificatePath);
        var key = new FileInfo(keyPath);
        return (certificate.Exists ? certificate.LastWriteTimeUtc : default, certificate.Exists ? certificate.Length : -1,
            key.Exists ? key.LastWriteTimeUtc : default, key.Exists ? key.Length : -1);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reloaded the serving certificate {Path}: {Subject}, valid until {NotAfter:o}")]
    private static partial void LogReloaded(ILogger logger, string path, string subject, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The serving certificate {Path} changed but cannot be loaded; still serving the previous one: {Error}")]
    private static partial void LogReloadFailed(ILogger logger, string path, string error);
}
