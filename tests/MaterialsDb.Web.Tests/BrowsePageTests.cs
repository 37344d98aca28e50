using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace MaterialsDb.Web.Tests;

/// <summary>The database, phase-diagram, model and operator pages, each against what the API says.</summary>
public sealed class BrowsePageTests(WebFixture web)
{
    [Fact]
    public async Task MaterialsSearchLeadsToAnEntryWithItsRevisions()
    {
        var page = await web.NewPageAsync();
        await WebFixture.SignInAsync(page, web.Acme, "/materials");
        await page.GetByLabel("Formula").FillAsync("Li2O");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("formula=Li2O"));
        var expected = await web.GetJsonAsync("/api/v1/materials?formula=Li2O&limit=100", web.Acme);
        var rows = page.Locator("#materials-results tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(expected.GetProperty("data").GetArrayLength());
        var first = expected.GetProperty("data")[0].GetProperty("id").GetString()!;
        await page.GetByRole(AriaRole.Link, new() { Name = first, Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#entry")).ToContainTextAsync("Li2O");
        await Assertions.Expect(page.Locator("#revisions tbody tr")).ToHaveCountAsync(1);
        Assert.True(web.ConsoleErrors[page].Count == 0, string.Join("\n", web.ConsoleErrors[page]));
    }

    [Fact]
    public async Task ACsvContributionIsStoredWholeOrRefusedWithItsBadRows()
    {
        var page = await web.NewPageAsync();
        await WebFixture.SignInAsync(page, web.Other, "/materials");
        var upload = page.GetByLabel("CSV file");
        await upload.SetInputFilesAsync(new FilePayload { Name = "bad.csv", MimeType = "text/csv", Buffer = System.Text.Encoding.UTF8.GetBytes("formula,e_form_per_atom\nLi2O,-2.0\nXx2O,-1.0\nNaCl,NaN\n") });
        await page.GetByRole(AriaRole.Button, new() { Name = "Contribute" }).ClickAsync();
        var report = page.Locator("#contribution-report");
        await Assertions.Expect(report.GetByRole(AriaRole.Alert)).ToContainTextAsync("row 1: reference: missing");

        // With a reference the first row is fine; the other two are named with their fields, and nothing is stored.
        await page.GetByLabel("Reference").FillAsync("web-test batch");
        await page.GetByRole(AriaRole.Button, new() { Name = "Contribute" }).ClickAsync();
        await Assertions.Expect(report.GetByRole(AriaRole.Alert)).ToContainTextAsync("row 2: formula");
        await Assertions.Expect(report).ToContainTextAsync("row 3: e_form_per_atom");
        await Assertions.Expect(report).Not.ToContainTextAsync("row 1");

        await upload.SetInputFilesAsync(new FilePayload { Name = "good.csv", MimeType = "text/csv", Buffer = System.Text.Encoding.UTF8.GetBytes("formula,e_form_per_atom\nLi2O,-2.0\nLiF,-3.0\n") });
        await page.GetByRole(AriaRole.Button, new() { Name = "Contribute" }).ClickAsync();
        await Assertions.Expect(report).ToContainTextAsync("Stored 2 entries");
        var id = await report.Locator("a").First.TextContentAsync();
        var entry = await web.GetJsonAsync($"/api/v1/materials/{id}", web.Other);
        Assert.Equal("other", entry.GetProperty("owner").GetString());
        Assert.Equal("private", entry.GetProperty("visibility").GetString());
        using var hidden = await web.GetAsync($"/api/v1/materials/{id}", web.Acme);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, hidden.StatusCode);
    }

    [Fact]
    public async Task PhaseDiagramsAreDrawnForBinariesAndTabulatedForQuaternaries()
    {
        var page = await web.NewPageAsync();
        await WebFixture.SignInAsync(page, web.Acme, "/phase-diagram");
        await page.GetByLabel("Chemical system (elements joined by -)").FillAsync("O-Li");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/phase-diagram/Li-O$"));
        await Assertions.Expect(page.Locator("#phase-diagram .legendtext").Filter(new() { HasText = "stable phases (hull)" })).ToBeVisibleAsync();
        var hull = await web.GetJsonAsync("/api/v1/hull/Li-O", web.Acme);
        await Assertions.Expect(page.Locator("#phase-diagram table tbody tr")).ToHaveCountAsync(hull.GetProperty("stable").GetArrayLength());
        await WebFixture.ScreenshotAsync(page, "binary-phase-diagram");

        await page.GotoAsync("/phase-diagram/Fe-Li-O-P");
        var quaternary = await web.GetJsonAsync("/api/v1/hull/Fe-Li-O-P", web.Acme);
        await Assertions.Expect(page.Locator("#phase-diagram table tbody tr")).ToHaveCountAsync(quaternary.GetProperty("stable").GetArrayLength());
        await Assertions.Expect(page.Locator("#phase-diagram .main-svg")).ToHaveCountAsync(0);

        await page.GotoAsync("/phase-diagram/Li-Xx");
        await Assertions.Expect(page.Locator("#phase-diagram [role=alert]")).ToContainTextAsync("chemsys");
        Assert.True(web.ConsoleErrors[page].All(e => e.Contains("400", StringComparison.Ordinal)), string.Join("\n", web.ConsoleErrors[page]));
    }

    [Fact]
    public async Task ModelCardsAreRendered()
    {
        var page = await web.NewPageAsync();
        await WebFixture.SignInAsync(page, web.Acme, "/models");
        await page.GetByRole(AriaRole.Link, new() { Name = "formation-energy", Exact = true }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/models/formation-energy$"));
        await Assertions.Expect(page.Locator("#model-card h1, #model-card h2").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#model-card table").First).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("#model-card script").CountAsync());
        Assert.True(web.ConsoleErrors[page].Count == 0, string.Join("\n", web.ConsoleErrors[page]));
    }

    [Fact]
    public async Task OperatorsSeeUsageAndTheJobDashboardMembersDoNot()
    {
        await web.ScreenAsync("name: usage-probe\ncandidates: {formulas: [NaCl, KCl]}\npredict: [band-gap-pbe]\n", web.Other);
        var page = await web.NewPageAsync();
        await WebFixture.SignInAsync(page, web.Admin, "/operators");
        var usage = page.Locator("#usage tbody tr").Filter(new() { HasText = "other" });
        await Assertions.Expect(usage).ToHaveCountAsync(1);
        var expected = (await web.GetJsonAsync("/api/v1/usage", web.Admin)).GetProperty("data").EnumerateArray().Single(u => u.GetProperty("tenant").GetString() == "other");
        await Assertions.Expect(usage.Locator("td").Nth(1)).ToHaveTextAsync(expected.GetProperty("screenings").GetInt64().ToString("N0", System.Globalization.CultureInfo.InvariantCulture));

        // The dashboard behind the same sign-in, with its assets, and its "back to site" link leads to the application.
        await page.GetByRole(AriaRole.Link, new() { Name = "Job dashboard (Hangfire)" }).ClickAsync();
        await Assertions.Expect(page).ToHaveTitleAsync(new Regex("MaterialsDb jobs"));
        Assert.Equal("/", await page.Locator("a:has-text('Back to site')").GetAttributeAsync("href"));
        Assert.True(web.ConsoleErrors[page].Count == 0, string.Join("\n", web.ConsoleErrors[page]));

        var member = await web.NewPageAsync();
        await WebFixture.SignInAsync(member, web.Acme, "/");
        await member.GotoAsync("/operators");
        await Assertions.Expect(member).ToHaveURLAsync(new Regex("/signin"));
        Assert.True(await member.Locator("#nav-operators").IsHiddenAsync() || member.Url.Contains("/signin", StringComparison.Ordinal));
    }
}
