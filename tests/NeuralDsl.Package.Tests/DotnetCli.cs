using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace NeuralDsl.Package.Tests;

/// <summary>Runs the dotnet CLI as a user would in a terminal, isolated from the test host's own MSBuild and NuGet
/// settings, and returns its exit code and output.</summary>
internal static class DotnetCli
{
    // Set by `dotnet test` for the test host; a child `dotnet build` must find its own SDK, and NUGET_PACKAGES would
    // override the consumer's nuget.config (its private packages folder).
    private static readonly string[] s_inheritedVariables =
        ["MSBuildSDKsPath", "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly", "NUGET_PACKAGES"];

    /// <summary>The muxer that runs this test host (`dotnet test` sets DOTNET_HOST_PATH), else `dotnet` on the PATH.</summary>
    private static string Executable =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static (int ExitCode, string Output, TimeSpan Duration) Run(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        foreach (string name in s_inheritedVariables) start.Environment.Remove(name);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        // Plain lines: the terminal logger would redraw and hide warnings from the captured text.
        start.Environment["MSBUILDTERMINALLOGGER"] = "off";

        var output = new StringBuilder();
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds} s:\n{output}");
        }
        process.WaitForExit(); // drains the asynchronous readers
        lock (output) return (process.ExitCode, output.ToString(), stopwatch.Elapsed);
    }

    /// <summary>Runs and fails the test, with the command's whole output, unless it exits with 0.</summary>
    public static string RunOrFail(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        (int exitCode, string output, _) = Run(workingDirectory, timeout, arguments);
        if (exitCode != 0)
            throw new InvalidOperationException($"dotnet {string.Join(' ', arguments)} exited with {exitCode}:\n{output}");
        return output;
    }

    /// <summary>The lines of an MSBuild log that report a warning (`file(line,col): warning CODE: ...`).</summary>
    public static List<string> WarningLines(string output)
    {
        var lines = new List<string>();
        foreach (string line in output.Split('\n'))
            if (line.Contains(": warning ", StringComparison.Ordinal)) lines.Add(line.TrimEnd());
        return lines;
    }
}
