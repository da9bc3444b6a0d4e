using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CidrController.Kubernetes.Serving;

/// <summary>
/// The certificate served when none is given, as kube-controller-manager makes one at start: self-signed, valid
/// one year, for localhost, the loopback addresses and the host name. Kept in <c>--cert-dir</c> when one is
/// given (and reused from there on the next start), else in memory only.
/// </summary>
internal static class SelfSignedCertificate
{
    public const string CertificateFileName = "cidr-controller.crt";
    public const string KeyFileName = "cidr-controller.key";

    public static X509Certificate2 Create(TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var host = Dns.GetHostName();
        var request = new CertificateRequest($"CN={host}@cidr-controller", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        if (!string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) && Uri.CheckHostName(host) == UriHostNameType.Dns)
        {
            names.AddDnsName(host);
        }

        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = time.GetUtcNow();
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(1));
    }

    /// <summary>The pair in <paramref name="directory"/> if both files exist, else a new one written there.</summary>
    public static X509Certificate2 LoadOrCreate(string directory, TimeProvider time)
    {
        var certificatePath = Path.Combine(directory, CertificateFileName);
        var keyPath = Path.Combine(directory, KeyFileName);
        try
        {
            if (File.Exists(certificatePath) && File.Exists(keyPath))
            {
                return X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            }

            var certificate = Create(time);
            Directory.CreateDirectory(directory);
            File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
            using var key = certificate.GetECDsaPrivateKey()!;
            File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            return certificate;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new ServingCertificateException($"cannot use the self-signed certificate in --cert-dir {directory}: {e.Message}", e);
        }
    }
}
