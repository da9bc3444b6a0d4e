using CidrController.ManifestCheck;

// Usage: cidr-controller-manifest-check --controller PATH RENDERED.yaml...
//        cidr-controller-manifest-check --controller PATH --chart-defaults VALUES.yaml
// Each file is one `helm template` output. Prints one line per file, exits 1 if any check failed.
if (args.Length < 3 || args[0] != "--controller")
{
    Console.Error.WriteLine("usage: CidrController.ManifestCheck --controller PATH (RENDERED.yaml... | --chart-defaults VALUES.yaml)");
    return 2;
}

var controller = args[1];
if (args is [_, _, "--chart-defaults", var valuesFile])
{
    var mismatches = await ChartDefaults.CheckAsync(controller, valuesFile);
    foreach (var mismatch in mismatches)
    {
        Console.WriteLine($"FAIL {valuesFile}: {mismatch}");
    }

    if (mismatches.Count > 0)
    {
        return 1;
    }

    Console.WriteLine($"ok   {valuesFile}: every flag default equals the binary's (cidr-controller flags --output json)");
    return 0;
}

var failed = 0;
foreach (var file in args[2..])
{
    var problems = new List<string>();
    var count = 0;
    try
    {
        var rendered = RenderedManifests.Load(await File.ReadAllTextAsync(file));
        count = rendered.Count;
        problems.AddRange(ChartInvariants.Check(rendered));
        foreach (var deployment in rendered.Deployments)
        {
            problems.AddRange(await ValidateOnlyRun.CheckAsync(controller, deployment));
        }
    }
    catch (InvalidDataException e)
    {
        problems.Add(e.Message);
    }

    if (problems.Count == 0)
    {
        Console.WriteLine($"ok   {file}: {count} objects load strictly, invariants hold, --validate-only accepts the args");
        continue;
    }

    failed++;
    foreach (var problem in problems)
    {
        Console.WriteLine($"FAIL {file}: {problem}");
    }
}

return failed == 0 ? 0 : 1;
