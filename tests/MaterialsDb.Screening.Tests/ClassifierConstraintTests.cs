using MaterialsDb.Screening.Engine;
using MaterialsDb.Screening.Spec;

namespace MaterialsDb.Screening.Tests;

/// <summary>Constraints on a classifier's column bound its probability, and p_constraints counts the class they ask for.</summary>
public sealed class ClassifierConstraintTests
{
    private const string Spec = "name: c\ncandidates: {list: c.csv}\npredict: [is-metal, glass-forming, band-gap-pbe]\nconstraints:\n  is-metal: {max: 0.2}\n  glass-forming: {min: 0.6}\n  band-gap-pbe: {min: 1.0}\n";

    [Fact]
    public void ClassifierBoundsAreHardChecksOnTheProbabilityAndCountTheAskedClass()
    {
        var spec = SpecParser.Parse(Spec);
        var q = new Quantities(spec);
        var constraints = new ConstraintSet(spec, q, new HashSet<string> { "is-metal", "glass-forming" });
        var values = new double[q.Count];
        values[q["is-metal"]] = 0.1;
        values[q["is-metal_std"]] = 0.3;   // a classifier's spread is never read as a normal σ
        values[q["glass-forming"]] = 0.8;
        values[q["glass-forming_std"]] = 0.3;
        values[q["band-gap-pbe"]] = 1.5;
        values[q["band-gap-pbe_std"]] = 0;

        Assert.True(constraints.Holds(q["is-metal"], 0.1));
        Assert.False(constraints.Holds(q["is-metal"], 0.25));
        Assert.False(constraints.Holds(q["glass-forming"], 0.5));

        // P(non-metal) = 0.9 for an upper bound, P(glass) = 0.8 for a lower bound, the deterministic gap 1.
        Assert.Equal(0.9 * 0.8, constraints.Probability(values), 12);

        // Outside a bound the probability is 0, however likely the class.
        values[q["is-metal"]] = 0.3;
        Assert.Equal(0, constraints.Probability(values));
    }

    [Fact]
    public void WithoutTheClassifierSetTheSameColumnsAreReadAsNormalPredictions()
    {
        var spec = SpecParser.Parse(Spec);
        var q = new Quantities(spec);
        var values = new double[q.Count];
        values[q["is-metal"]] = 0.1;
        values[q["is-metal_std"]] = 0.3;
        values[q["glass-forming"]] = 0.8;
        values[q["glass-forming_std"]] = 0.3;
        values[q["band-gap-pbe"]] = 1.5;

        // The regressor reading (Φ of the bounds) differs from the class probabilities: the set matters.
        Assert.NotEqual(0.9 * 0.8, new ConstraintSet(spec, q).Probability(values), 3);
    }
}
