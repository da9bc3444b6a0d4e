using System.Runtime.InteropServices;

using CidrController;
using CidrController.CommandLine;
using CidrController.Status;

if (args is [StatusCommand.Name, .. var statusArgs])
{
    return await StatusCommand.RunAsync(statusArgs, Console.Out, Console.Error, Environment.GetEnvironmentVariable, CancellationToken.None);
}

if (!CommandLineFrontEnd.TryPrepare(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable, out var settings, out var exitCode))
{
    return exitCode;
}

// SIGTERM (kubelet stopping the pod) and SIGINT both mean a graceful shutdown: stop taking work, release the lease.
using var shutdown = new CancellationTokenSource();
using var onSigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestShutdown);
using var onSigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestShutdown);
return await ControllerHost.RunAsync(settings, shutdown.Token);

void RequestShutdown(PosixSignalContext context)
{
    context.Cancel = true;
    shutdown.Cancel();
}
