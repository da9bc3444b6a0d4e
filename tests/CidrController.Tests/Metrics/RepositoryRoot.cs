namespace CidrController.Tests.Metrics;

/// <summary>Files of the repository that tests read (recordings, the chart's dashboard), found from the test binary.</summary>
internal static class RepositoryRoot
{
    public static string PathOf(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CidrController.sln")))
            {
                return Path.Combine(dir.FullName, relativePath);
            }
        }

        throw new InvalidOperationException($"no CidrController.sln above {AppContext.BaseDirectory}");
    }
}
