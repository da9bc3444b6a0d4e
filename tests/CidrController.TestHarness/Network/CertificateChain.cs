using System.Security.Cryptography.X509Certificates;

namespace CidrController.TestHarness;

/// <summary>Certificate checks against a CA that a test made (the real API server's, or a serving test's own).</summary>
public static class CertificateChain
{
    /// <summary>
    /// True when <paramref name="certificate"/> chains to <paramref name="ca"/> alone: the system store is not
    /// consulted, and there is no revocation check (a throwaway CA publishes no revocation list).
    /// </summary>
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
