namespace CidrController.Tests.Integration;

/// <summary>Polls a condition until it holds; fails with a message when it does not within the timeout.</summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static async Task TrueAsync(Func<bool> condition, string because, TimeSpan? timeout = null) =>
        await TrueAsync(() => Task.FromResult(condition()), because, timeout);

    public static async Task TrueAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // The server under test is not listening yet.
            }

            await Task.Delay(25);
        }

        Assert.Fail($"Timed out after {(timeout ?? DefaultTimeout).TotalSeconds:F0} s: {because}");
    }
}
