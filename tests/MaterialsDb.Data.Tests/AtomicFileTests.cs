using MaterialsDb.Data.Tables;

namespace MaterialsDb.Data.Tests;

public sealed class AtomicFileTests
{
    // /dev/full fails every write with "no space left on device", as a disk that filled up under a write does. Closing
    // a buffered stream flushes it, so a writer abandoned after that failure threw again while closing, and the
    // temporary file (as large as the disk allowed) was never deleted.
    private static FileStream OnAFullDisk()
    {
        var stream = new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1 << 16);
        stream.Write(new byte[100]);
        return stream;
    }

    [Fact]
    public async Task AnAbandonedWriterIsClosedEvenWhenItsFlushFails()
    {
        var plain = OnAFullDisk();
        await Assert.ThrowsAsync<IOException>(async () => await plain.DisposeAsync());

        var abandoned = OnAFullDisk();
        await AtomicFile.AbandonAsync(abandoned);
        Assert.False(abandoned.CanWrite);

        var sync = OnAFullDisk();
        AtomicFile.Abandon(sync);
        Assert.False(sync.CanWrite);
    }

    [Fact]
    public async Task NothingToAbandonIsFine()
    {
        await AtomicFile.AbandonAsync(null);
        AtomicFile.Abandon(null);
    }
}
