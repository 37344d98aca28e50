using Deque.AxeCore.Playwright;

namespace MaterialsDb.Web.Tests;

/// <summary>axe-core (Deque's accessibility rules) on each kind of page: no serious or critical violation.</summary>
public sealed class AccessibilityTests(WebFixture web)
{
    [Fact]
    public async Task PagesHaveNoSeriousAccessibilityViolations()
    {
        var id = await web.ScreenAsync("name: a11y\ncandidates: {formulas: [LiFePO4, Li2O, LiCoO2, Li3PO4, LiCl]}\npredict: [band-gap-pbe]\nstability: {reference: mp_e_form, model: formation-energy}\n", web.Acme);
        var page = await web.NewPageAsync();
        await WebFixture.SignInAsync(page, web.Acme, "/");
        var problems = new List<string>();
        foreach (var (path, ready) in new[]
        {
            ("/", "h1"), ("/screenings", "#view table"), ("/screenings/new", "#spec"), ($"/screenings/{id}", "#results-table table"),
            ($"/screenings/{id}?tab=scatter", "#scatter .main-svg"), ($"/screenings/{id}/candidates/1", "#phase-diagram h3"),
            ("/materials?formula=Li2O", "#materials-results table"), ("/phase-diagram/Li-O-P", "#phase-diagram .main-svg"), ("/models", ".card"),
        })
        {
            await page.GotoAsync(path);
            await page.Locator(ready).First.WaitForAsync();
            var result = await page.RunAxe();
            problems.AddRange(result.Violations.Where(v => v.Impact is "serious" or "critical")
                .Select(v => $"{path}: {v.Id} ({v.Impact}): {v.Help} — {string.Join("; ", v.Nodes.Take(3).Select(n => n.Html))}"));
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
