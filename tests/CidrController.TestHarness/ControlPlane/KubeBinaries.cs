namespace CidrController.TestHarness;

/// <summary>
/// Where the real control plane's binaries are, found the way controller-runtime's envtest finds them: the directory
/// in <c>KUBEBUILDER_ASSETS</c> first, then <c>kube-bin</c> in a <c>shared</c> folder beside the repository.
/// </summary>
public sealed record KubeBinaries(string Directory)
{
    public const string AssetsVariable = "KUBEBUILDER_ASSETS";

    private static readonly Lazy<(KubeBinaries? Found, string Reason)> Located = new(Locate);

    public string Etcd => Path.Combine(Directory, "etcd");

    public string ApiServer => Path.Combine(Directory, "kube-apiserver");

    /// <summary>Envtest assets do not ship it; only comparisons with the upstream allocator need it.</summary>
    public string? ControllerManager =>
        File.Exists(Path.Combine(Directory, "kube-controller-manager")) ? Path.Combine(Directory, "kube-controller-manager") : null;

    /// <summary>The binaries for this run, or null when neither place has both etcd and kube-apiserver.</summary>
    public static KubeBinaries? Find() => Located.Value.Found;

    /// <summary>One line saying why real-control-plane tests are skipped, or null when the binaries are there.</summary>
    public static string? MissingReason => Located.Value.Found is null ? Located.Value.Reason : null;

    private static (KubeBinaries?, string) Locate()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable(AssetsVariable) is { Length: > 0 } assets)
        {
            candidates.Add(assets);
        }

        if (RepositoryRoot() is { } root)
        {
            candidates.Add(Path.GetFullPath(Path.Combine(root, "..", "shared", "kube-bin")));
        }

        foreach (var candidate in candidates)
        {
            var binaries = new KubeBinaries(candidate);
            if (File.Exists(binaries.Etcd) && File.Exists(binaries.ApiServer))
            {
                return (binaries, "");
            }
        }

        var looked = candidates.Count == 0 ? "no candidate directory" : string.Join(", ", candidates);
        return (null, $"no etcd and kube-apiserver binaries (set {AssetsVariable} to envtest assets; looked in {looked})");
    }

    /// <summary>The nearest directory above the test assembly that holds the solution file.</summary>
    public static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CidrController.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
