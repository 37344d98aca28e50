using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Service.Tests;

/// <summary>The materialsdb program as a separate process (a real node that can be killed), with its output captured.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly StringBuilder _output = new();

    private CliProcess(Process process) => Process = process;

    public Process Process { get; }

    /// <summary>Everything it printed so far (stdout and stderr).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static CliProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "materialsdb.dll"), .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["MATERIALSDB_MIRROR"] = SharedFiles.Mirror();
        var process = new CliProcess(Process.Start(info)!);
        process.Process.OutputDataReceived += (_, e) => process.Append(e.Data);
        process.Process.ErrorDataReceived += (_, e) => process.Append(e.Data);
        process.Process.BeginOutputReadLine();
        process.Process.BeginErrorReadLine();
        return process;
    }

    /// <summary>A loopback port nobody listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until the output contains <paramref name="text"/> (or the process exits, or the time is up).</summary>
    public async Task<bool> WaitForAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !Process.HasExited)
        {
            if (Output.Contains(text, StringComparison.Ordinal))
            {
                return true;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        return Output.Contains(text, StringComparison.Ordinal);
    }

    public void Kill()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        Process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
