using CidrController.CommandLine;

namespace CidrController;
internal static class ControllerHost
{
    public static Task<int> RunAsync(CommandLineSettings settings, CancellationToken cancellationToken) => throw new NotImplementedException();
}
