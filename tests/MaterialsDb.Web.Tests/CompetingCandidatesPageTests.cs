using System.Text.Json;
using Microsoft.Playwright;

namespace MaterialsDb.Web.Tests;

/// <summary>A self-consistent screening's candidate page names the other candidates it competes with on the hull.</summary>
public sealed class CompetingCandidatesPageTests(WebFixture web)
{
    private const string Spec = """
        name: compete
        candidates:
          enumerate:
            elements: [Li, Mg, O, S, Cl]
            n_elements: [2, 3]
            max_coefficient: 4
        stability: {reference: mp_e_form, model: formation-energy, self_consistent: true}
        constraints:
          e_above_hull: {max: 0.05}
        rank: {by: [p_stable]}
        top: 100
        """;

    [Fact]
    public async Task TheCandidatePageShowsItsCompetitorsAndProbabilities()
    {
        var id = await web.ScreenAsync(Spec, web.Acme);
        var rows = (await web.GetJsonAsync($"/api/v1/screenings/{id}/rows?limit=100", web.Acme)).GetProperty("data").EnumerateArray().ToArray();
        var competing = rows.First(r => r.GetProperty("decomposition_candidates").ValueKind == JsonValueKind.String);
        var page = await web.NewPageAsync();
        await WebFixture.SignInAsync(page, web.Acme, $"/screenings/{id}/candidates/{competing.GetProperty("rank").GetInt64()}");
        await Assertions.Expect(page.Locator("#competitors")).ToContainTextAsync(competing.GetProperty("decomposition_candidates").GetString()!);
        await Assertions.Expect(page.Locator("#p-stable")).Not.ToHaveTextAsync("—");

        // Ranked by p_stable: the API's order is highest probability first.
        var p = rows.Select(r => r.GetProperty("p_stable").GetDouble()).ToArray();
        Assert.Equal(p.OrderDescending(), p);
    }
}
