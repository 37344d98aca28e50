using MaterialsDb.TestSupport;

namespace MaterialsDb.Service.Tests;

/// <summary>Startup options no node could run with are refused by name, before anything starts.</summary>
public sealed class OptionsTests
{
    [Theory]
    [InlineData("--chunk-size", "0", "--chunk-size must be at least 1")]
    [InlineData("--workers", "-1", "--workers must be 0")]
    [InlineData("--max-candidates", "0", "--max-candidates must be at least 1")]
    [InlineData("--urls", "not a url", "--urls 'not a url' is not an absolute URL")]
    public async Task ServeRefusesBadOptionsAsUsageErrors(string option, string value, string message)
    {
        using var results = new TempDirectory();
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await Cli.CliApp.RunAsync(["serve", option, value, "--results", results.Path], output, error, SharedFiles.MirrorStore(), TestContext.Current.CancellationToken);
        Assert.Equal(2, exit);
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryProblemIsNamedAtOnce()
    {
        var e = Assert.Throws<InvalidOptionException>(() => new ServiceOptions { ChunkSize = 0, Workers = -2, RequestsPerMinute = 0 }.Validate());
        Assert.Contains("--chunk-size", e.Message, StringComparison.Ordinal);
        Assert.Contains("--workers", e.Message, StringComparison.Ordinal);
        Assert.Contains("rate limits", e.Message, StringComparison.Ordinal);
        new ServiceOptions().Validate();
    }

    [Fact]
    public void RaisingTheCandidateLimitRaisesTheRawLimitWithIt()
    {
        var defaults = new ServiceOptions();
        var billion = defaults.WithMaxCandidates(2_000_000_000);
        Assert.Equal(2_000_000_000, billion.MaxCandidates);
        Assert.Equal(defaults.MaxRawCompositions, billion.MaxRawCompositions);
        var huge = defaults.WithMaxCandidates(50_000_000_000);
        Assert.Equal(50_000_000_000, huge.MaxRawCompositions);
        huge.Validate();
    }
}
