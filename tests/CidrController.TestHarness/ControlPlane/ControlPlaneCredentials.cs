using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CidrController.TestHarness;

/// <summary>
/// Everything the API server needs to serve TLS and authenticate, made fresh per control plane and written as PEM
/// files: a CA, a serving certificate for 127.0.0.1 signed by it, an admin bearer token (group system:masters) in a
/// static token file, and the RSA key pair that signs and verifies service-account tokens.
/// </summary>
public sealed class ControlPlaneCredentials
{
    private ControlPlaneCredentials(string directory, string caPem, string adminToken)
    {
        CaPem = caPem;
        AdminToken = adminToken;
        CaFile = Path.Combine(directory, "ca.crt");
        ServerCertificateFile = Path.Combine(directory, "server.crt");
        ServerKeyFile = Path.Combine(directory, "server.key");
        TokenFile = Path.Combine(directory, "tokens.csv");
        ServiceAccountPublicKeyFile = Path.Combine(directory, "sa.pub");
        ServiceAccountSigningKeyFile = Path.Combine(directory, "sa.key");
    }

    public const string AdminUser = "admin";

    public string CaPem { get; }

    public string AdminToken { get; }

    public string CaFile { get; }

    public string ServerCertificateFile { get; }

    public string ServerKeyFile { get; }

    public string TokenFile { get; }

    public string ServiceAccountPublicKeyFile { get; }

    public string ServiceAccountSigningKeyFile { get; }

    /// <summary>Generates the credentials and writes their files into <paramref name="directory"/>.</summary>
    public static ControlPlaneCredentials Create(string directory)
    {
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = notBefore.AddDays(2);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=cidr-controller-test-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(notBefore, notAfter);

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=kube-apiserver", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f; // a positive serial number
        using var server = serverRequest.Create(ca, notBefore, notAfter, serial);

        using var serviceAccountKey = RSA.Create(2048);
        var adminToken = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        var credentials = new ControlPlaneCredentials(directory, ca.ExportCertificatePem(), adminToken);

        File.WriteAllText(credentials.CaFile, credentials.CaPem);
        File.WriteAllText(credentials.ServerCertificateFile, server.ExportCertificatePem());
        File.WriteAllText(credentials.ServerKeyFile, serverKey.ExportECPrivateKeyPem());
        File.WriteAllText(credentials.ServiceAccountPublicKeyFile, serviceAccountKey.ExportSubjectPublicKeyInfoPem());
        File.WriteAllText(credentials.ServiceAccountSigningKeyFile, serviceAccountKey.ExportRSAPrivateKeyPem());
        // token,user,uid,"groups"
        File.WriteAllText(credentials.TokenFile, $"{adminToken},{AdminUser},{AdminUser},\"system:masters\"\n");
        return credentials;
    }

    /// <summary>The CA as a certificate, for clients that verify the server against it.</summary>
    public X509Certificate2 LoadCa() => X509Certificate2.CreateFromPem(CaPem);
}
