using System.Text;
using MaterialsDb.Data.Catalog;
using MaterialsDb.TestSupport;

namespace MaterialsDb.Data.Tests;

public sealed class CatalogTests
{
    [Theory]
    [InlineData("magpie_elementdata")]
    [InlineData("mp_e_form")]
    [InlineData("mp_gap")]
    [InlineData("expt_gap")]
    [InlineData("steels_yield")]
    [InlineData("glass")]
    [InlineData("expt_is_metal")]
    [InlineData("mp_e_hull")]
    [InlineData("oqmd_formation_enthalpy")]
    [InlineData("critexam_e_form")]
    [InlineData("critexam_e_decomp")]
    [InlineData("roost_mp_non_metals")]
    [InlineData("smact_oxidation_states")]
    [InlineData("smact_elements")]
    public void CoversTheRequiredDatasets(string id)
    {
        var d = DatasetCatalog.Default.Get(id);
        Assert.NotEmpty(d.Files);
        Assert.False(string.IsNullOrWhiteSpace(d.License));
        Assert.False(string.IsNullOrWhiteSpace(d.Citation));
        // Every URL is pinned to a commit, so its bytes never change.
        Assert.All(d.Files, f => Assert.Matches("^/[^/]+/[^/]+/[0-9a-f]{40}/", f.Url.AbsolutePath));
        if (d.Format.Kind == "csv")
        {
            Assert.NotEmpty(d.Format.Units);
            Assert.NotNull(d.Format.FormulaColumn);
        }
    }

    [Fact]
    public void MagpieTablesIncludeWhatFeaturizersAndFiltersNeed()
    {
        var magpie = DatasetCatalog.Default.Get("magpie_elementdata");
        foreach (var name in new[] { "Number", "MendeleevNumber", "AtomicWeight", "MeltingT", "Column", "Row", "CovalentRadius", "Electronegativity", "NsValence", "NpValence", "NdValence", "NfValence", "NValence", "NsUnfilled", "NpUnfilled", "NdUnfilled", "NfUnfilled", "NUnfilled", "GSvolume_pa", "GSbandgap", "GSmagmom", "SpaceGroupNumber", "OxidationStates", "HHIp", "HHIr" })
        {
            Assert.Equal(name + ".table", magpie.File(name + ".table").Name);
        }
    }

    [Fact]
    public void ChecksumsAgreeWithTheMirror()
    {
        var sums = File.ReadLines(Path.Combine(SharedFiles.Mirror(), "SHA256SUMS"))
            .Select(l => l.Split("  ", 2))
            .ToDictionary(p => p[1], p => p[0]);
        foreach (var file in DatasetCatalog.Default.Datasets.SelectMany(d => d.Files))
        {
            var key = file.Url.Host + Uri.UnescapeDataString(file.Url.AbsolutePath);
            Assert.True(sums.TryGetValue(key, out var sha), $"{key} is not in the mirror's SHA256SUMS");
            Assert.Equal(sha, file.Sha256);
            Assert.Equal(new FileInfo(Path.Combine(SharedFiles.Mirror(), key)).Length, file.Size);
        }
    }

    [Fact]
    public void UnknownIdListsTheKnownOnes()
    {
        var e = Assert.Throws<MaterialsDbException>(() => DatasetCatalog.Default.Get("mp_eform"));
        Assert.Contains("mp_e_form", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"datasets":[{"id":"x","title":"t","description":"d","license":"l","citation":"c","format":{"kind":"csv"},"files":[{"name":"a.csv","url":"http://example.org/a.csv","sha256":"0000000000000000000000000000000000000000000000000000000000000000","size":1}]}]}""", "https://")]
    [InlineData("""{"datasets":[{"id":"x","title":"t","description":"d","license":"l","citation":"c","format":{"kind":"csv"},"files":[{"name":"a.csv","url":"https://example.org/a.csv","sha256":"abc","size":1}]}]}""", "SHA-256")]
    [InlineData("""{"datasets":[{"id":"x","description":"d","license":"l","citation":"c","format":{"kind":"csv"},"files":[]}]}""", "'title'")]
    [InlineData("""{"datasets":[{"id":"x","title":"t","description":"d","license":"l","citation":"c","format":{"kind":"csv"},"files":[{"name":"../a.csv","url":"https://example.org/a.csv","sha256":"0000000000000000000000000000000000000000000000000000000000000000","size":1}]}]}""", "plain file name")]
    [InlineData("""{"datasets":[{"id":"X Y","title":"t"}]}""", "lowercase")]
    public void RejectsMalformedCatalogs(string json, string fragment)
    {
        var e = Assert.Throws<InvalidDataException>(() => DatasetCatalog.Parse(new MemoryStream(Encoding.UTF8.GetBytes(json))));
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }
}
