using System.Text.Json;
using System.Text.Json.Serialization;
using MaterialsDb.Chemistry;

namespace MaterialsDb.Database;

/// <summary>
/// An entry revision as plain data: the journal's lines and PostgreSQL's JSON columns hold this form, and it turns
/// back into a <see cref="MaterialEntry"/> by parsing the formula again.
/// </summary>
internal sealed record EntryRecord(
    long Number, int Revision, long Version, long? SupersededVersion, bool Retracted, string Formula, string Scheme,
    double? EFormPerAtom, double? TotalEnergyPerAtom, double? BandGap, Dictionary<string, PropertyValue>? Properties,
    SourceKind SourceKind, MethodInfo? Method, string Owner, Visibility Visibility, Provenance Provenance)
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static EntryRecord From(MaterialEntry e) => new(
        e.Number, e.Revision, e.Version, e.SupersededVersion, e.Retracted, e.Formula, e.Scheme, e.EFormPerAtom, e.TotalEnergyPerAtom,
        e.BandGap, e.Properties.Count == 0 ? null : new(e.Properties), e.SourceKind, e.Method, e.Owner, e.Visibility, e.Provenance);

    public MaterialEntry ToEntry(Composition? composition = null) => new()
    {
        Number = Number,
        Revision = Revision,
        Version = Version,
        SupersededVersion = SupersededVersion,
        Retracted = Retracted,
        Formula = Formula,
        Composition = composition ?? FormulaParser.Parse(Formula),
        Scheme = Scheme,
        EFormPerAtom = EFormPerAtom,
        TotalEnergyPerAtom = TotalEnergyPerAtom,
        BandGap = BandGap,
        Properties = Properties ?? [],
        SourceKind = SourceKind,
        Method = Method ?? new MethodInfo(),
        Owner = Owner,
        Visibility = Visibility,
        Provenance = Provenance,
    };
}
