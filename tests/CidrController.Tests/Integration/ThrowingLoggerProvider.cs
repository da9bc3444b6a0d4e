using Microsoft.Extensions.Logging;

namespace CidrController.Tests.Integration;

/// <summary>
/// A logging sink that throws, once, when asked to write a message starting with <paramref name="messagePrefix"/>:
/// an unexpected exception raised from inside whatever code logs it (a bug, as far as that code can tell), with no
/// switch in the code under test. Microsoft.Extensions.Logging passes it on as an AggregateException.
/// </summary>
internal sealed class ThrowingLoggerProvider(string messagePrefix) : ILoggerProvider
{
    private readonly string _messagePrefix = messagePrefix;
    private int _thrown;

    public bool Thrown => Volatile.Read(ref _thrown) == 1;

    public ILogger CreateLogger(string categoryName) => new ThrowingLogger(this);

    public void Dispose()
    {
    }

    private sealed class ThrowingLogger(ThrowingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (formatter(state, exception).StartsWith(owner._messagePrefix, StringComparison.Ordinal) && Interlocked.Exchange(ref owner._thrown, 1) == 0)
            {
                throw new InvalidOperationException("injected: a bug in the leadership term");
            }
        }
    }
}
