namespace Offsite.Core.Sources;

/// <summary>
/// A tree source that fetches files before the archiver opens them (an object store, where each read
/// is a request with its own latency). The archiver hands it the files cache's verdict, so it
/// reads ahead only what will really be read: an unchanged entry must never be downloaded.
/// </summary>
public interface IReadAheadSource : ITreeSource
{
    /// <summary>Called once before the first listing: true for an entry the archiver will reuse from the previous backup.</summary>
    void UseReuseCheck(Func<SourceEntry, bool> willReuse);
}
