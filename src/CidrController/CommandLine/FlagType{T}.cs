namespace CidrController.CommandLine;

/// <summary>
/// A kind of flag value: the name help shows (null for a boolean), the parser (which throws <see cref="FlagException"/>
/// naming the flag) and how a default is written. The common kinds are listed in <see cref="FlagSyntax"/>.
/// </summary>
internal sealed record FlagType<T>(string? Name, Func<Flag, string, T> Parse, Func<T, string> Format);
