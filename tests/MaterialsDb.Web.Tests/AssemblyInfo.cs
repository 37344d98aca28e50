// One browser and one node serve every test of this assembly; the tests drive them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
[assembly: AssemblyFixture(typeof(MaterialsDb.Web.Tests.WebFixture))]
