// Hangfire keeps its storage in a process-wide static (JobStorage.Current): nodes in one test process must not overlap.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
