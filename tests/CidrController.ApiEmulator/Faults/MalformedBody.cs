namespace CidrController.ApiEmulator.Faults;

/// <summary>How a <see cref="MalformedBodyFault"/> breaks an answer.</summary>
public enum MalformedBody
{
    /// <summary>
    /// Valid JSON with a value of the wrong type where every client looks: a list's <c>items</c> is a string, an
    /// object's <c>metadata</c> a number; on a watch, one event whose <c>object</c> is a number.
    /// </summary>
    WrongType,

    /// <summary>Bytes that are not JSON at all (what a misconfigured proxy or a corrupted stream delivers).</summary>
    Garbage,
}
