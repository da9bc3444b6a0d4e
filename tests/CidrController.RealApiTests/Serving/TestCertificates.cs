using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using CidrController.TestHarness;

namespace CidrController.RealApiTests.Serving;

/// <summary>A throwaway CA and serving certificates it signs for 127.0.0.1, written as PEM files the controller reads.</summary>
internal sealed class TestCertificates : IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCertificates()
    {
        var request = new CertificateRequest("CN=secure-serving-test-ca", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        Ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    public X509Certificate2 Ca { get; }

    /// <summary>Writes a serving certificate with common name <paramref name="commonName"/> to the two paths.</summary>
    public X509Certificate2 WriteServing(string commonName, string certificatePath, string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        using var certificate = request.Create(Ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(12), serial);
        // Key first, then the certificate: a reader between the two writes sees a mismatched pair and must keep the old one.
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        return X509CertificateLoader.LoadCertificate(certificate.RawData);
    }

    /// <summary>True when <paramref name="certificate"/> chains to <see cref="Ca"/> alone (the system store is not consulted).</summary>
    public bool Trusts(X509Certificate2 certificate) => CertificateChain.ChainsTo(certificate, Ca);

    public void Dispose()
    {
        Ca.Dispose();
        _caKey.Dispose();
    }
}
