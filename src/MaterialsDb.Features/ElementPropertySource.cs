using MaterialsDb.Chemistry;

namespace MaterialsDb.Features;

/// <summary>
/// Element property values by atomic number from one data source (e.g. the Magpie tables), with the citation that
/// belongs to it. NaN marks a missing value.
/// </summary>
public sealed class ElementPropertySource
{
    private readonly Dictionary<string, double[]> _values;

    private ElementPropertySource(string name, Dictionary<string, double[]> values, string citation, bool imputed)
    {
        Name = name;
        _values = values;
        Citation = citation;
        IsImputed = imputed;
    }

    /// <summary>Source name as it appears in feature labels (<c>MagpieData</c>).</summary>
    public string Name { get; }

    /// <summary>Reference for the data.</summary>
    public string Citation { get; }

    /// <summary>True when missing values were replaced by the property's mean.</summary>
    public bool IsImputed { get; }

    /// <summary>Property names available.</summary>
    public IEnumerable<string> PropertyNames => _values.Keys;

    /// <summary>
    /// Builds a source from tables of values by atomic number (index Z − 1; NaN or absent entries are missing).
    /// With <paramref name="imputeNan"/>, each missing value becomes the mean of that property over the elements
    /// Z = 1..118 that have one (matminer's <c>impute_nan=True</c>).
    /// </summary>
    /// <param name="name">Source name used in labels.</param>
    /// <param name="properties">Property names.</param>
    /// <param name="readProperty">Returns the values of one property by atomic number.</param>
    /// <param name="citation">Reference for the data.</param>
    /// <param name="imputeNan">Replace missing values by the property mean.</param>
    /// <exception cref="MaterialsDbException">A property has no value at all, or more than 118 values.</exception>
    public static ElementPropertySource Create(string name, IEnumerable<string> properties, Func<string, double[]> readProperty, string citation, bool imputeNan)
    {
        ArgumentNullException.ThrowIfNull(properties);
        ArgumentNullException.ThrowIfNull(readProperty);
        var values = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var property in properties)
        {
            var raw = readProperty(property);
            if (raw.Length > PeriodicTable.MaxZ)
            {
                throw new MaterialsDbException($"{name} property '{property}' has {raw.Length} values; at most {PeriodicTable.MaxZ} elements exist.");
            }

            var byZ = new double[PeriodicTable.MaxZ];
            Array.Fill(byZ, double.NaN);
            raw.CopyTo(byZ, 0);
            var known = byZ.Where(v => !double.IsNaN(v)).ToArray();
            if (known.Length == 0)
            {
                throw new MaterialsDbException($"{name} property '{property}' has no value for any element.");
            }

            if (imputeNan)
            {
                var mean = known.Average();
                for (var i = 0; i < byZ.Length; i++)
                {
                    byZ[i] = double.IsNaN(byZ[i]) ? mean : byZ[i];
                }
            }

            values[property] = byZ;
        }

        return new ElementPropertySource(name, values, citation, imputeNan);
    }

    /// <summary>Value of <paramref name="property"/> for element <paramref name="z"/> (NaN when missing and not imputed).</summary>
    /// <exception cref="MaterialsDbException">Unknown property; the message lists the known ones.</exception>
    public double Get(string property, int z) => Values(property)[z - 1];

    /// <summary>All values of a property, index Z − 1.</summary>
    public ReadOnlySpan<double> Values(string property) =>
        _values.TryGetValue(property, out var v)
            ? v
            : throw new MaterialsDbException($"{Name} has no property '{property}'; it has: {string.Join(", ", _values.Keys.Order())}.");
}
