using System.Text.RegularExpressions;
using MaterialsDb.TestSupport;
using Microsoft.Playwright;

namespace MaterialsDb.Web.Tests;

/// <summary>Signing in and out, and what a wrong key, an expired or revoked session and another tenant's URL show.</summary>
public sealed class SessionPageTests(WebFixture web)
{
    [Fact]
    public async Task SignInShowsTheTenantAndSignOutEndsTheSession()
    {
        var page = await web.NewPageAsync();
        await WebFixture.SignInAsync(page, web.Acme, "/screenings");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/screenings$"));
        await Assertions.Expect(page.Locator("#who")).ToHaveTextAsync("acme (member)");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Screenings" })).ToBeVisibleAsync();

        await page.Locator("#signout").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/signin$"));
        await page.GotoAsync("/screenings");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/signin\\?return_url=%2Fscreenings$"));
        Assert.True(web.ConsoleErrors[page].Count == 0, string.Join("\n", web.ConsoleErrors[page]));
    }
}

/// <summary>What the pages show when something is wrong: a wrong key, an ended session, another tenant's screening, a bad spec.</summary>
public sealed class FailurePageTests(WebFixture web)
{
    [Fact]
    public async Task AWrongKeyIsRefusedOnTheSignInPage()
    {
        var page = await web.NewPageAsync();
        await WebFixture.SignInAsync(page, "mdb_" + new string('x', 40), "/screenings");
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not valid");
        await page.GotoAsync("/screenings");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/signin"));
    }

    [Fact]
    public async Task ARevokedKeyEndsItsSessionAndAnExpiredSessionAsksToSignInAgain()
    {
        var (record, key) = await Service.Auth.ApiKeys.CreateAsync(web.Store, "acme", Service.Store.Role.Member, TestContext.Current.CancellationToken);
        var page = await web.NewPageAsync();
        await WebFixture.SignInAsync(page, key, "/screenings");
        await Assertions.Expect(page.Locator("#who")).ToHaveTextAsync("acme (member)");
        Assert.True(await web.Store.RevokeKeyAsync(record.Id.ToString(), TestContext.Current.CancellationToken));
        try
        {
            await page.GotoAsync("/screenings");
        }
        catch (PlaywrightException e) when (e.Message.Contains("ERR_ABORTED", StringComparison.Ordinal))
        {
            // The open page's own 401 handling may send it to sign-in while this navigation runs; the URL below decides.
        }

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/signin\\?return_url=%2Fscreenings$"));

        // A node whose sessions last two seconds: after that, the next page asks to sign in again.
        using var results = new TempDirectory();
        await using var node = await WebFixture.StartNodeAsync(new Service.ServiceOptions { ResultsFolder = results.Path, Workers = 0, SessionLifetime = TimeSpan.FromSeconds(2) }, web.Store);
        var address = node.Urls.First();
        await page.GotoAsync(address + "/signin?return_url=%2Fmodels");
        await page.GetByLabel("API key").FillAsync(web.Acme);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Models", Exact = true })).ToBeVisibleAsync();
        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken);
        await page.GotoAsync(address + "/models");
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/signin\\?return_url=%2Fmodels$"));
    }

    [Fact]
    public async Task AnotherTenantsScreeningIsNotFoundAndNothingLeaks()
    {
        var id = await web.ScreenAsync("name: acme-secret-screening\ncandidates: {formulas: [LiFePO4, NaCl]}\npredict: [band-gap-pbe]\n", web.Acme);
        var page = await web.NewPageAsync();
        await WebFixture.SignInAsync(page, web.Other, $"/screenings/{id}");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
        Assert.DoesNotContain("acme-secret-screening", await page.ContentAsync(), StringComparison.Ordinal);
        await page.GotoAsync($"/screenings/{id}/candidates/1");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();
        Assert.DoesNotContain("LiFePO4", await page.ContentAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASpecWithErrorsShowsThemAtTheirFields()
    {
        var page = await web.NewPageAsync(width: 800);
        await WebFixture.SignInAsync(page, web.Acme, "/screenings/new");
        await page.Locator("#spec").FillAsync("name: broken\ncandidates:\n  enumerate:\n    elements: [Li, Xx]\npredict: [no-such-model]\ntop: -5\n");
        await page.GetByRole(AriaRole.Button, new() { Name = "Check (dry run)" }).ClickAsync();
        var problems = page.Locator("#problems");
        await Assertions.Expect(problems).ToContainTextAsync("candidates.enumerate.elements");
        await Assertions.Expect(problems).ToContainTextAsync("Xx");
        await WebFixture.ScreenshotAsync(page, "spec-errors-800px");

        // The line of a field's key is one click away.
        await problems.GetByRole(AriaRole.Button).First.ClickAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => document.activeElement.id === 'spec' && document.activeElement.selectionEnd > document.activeElement.selectionStart"));

        // Nothing was submitted.
        var list = await web.GetJsonAsync("/api/v1/screenings?limit=200", web.Acme);
        Assert.DoesNotContain(list.GetProperty("data").EnumerateArray(), s => s.GetProperty("name").GetString() == "broken");
    }
}
