using Microsoft.Extensions.Logging;
using RekorPosix.Log;
using RekorPosix.Log.Antispam;
using RekorPosix.Log.Entries;
using RekorPosix.Protos.RekorV2;

namespace RekorPosix.Http;

/// <summary>
/// CreateEntry, whichever transport it came by: validate (on the caller's thread, so signature
/// checks run on all cores and never inside the sequencing lock), append through dedup, wait
/// without a thread for a published checkpoint that covers the index, build the inclusion proof
/// from tiles and verify it before answering. Failures are thrown as <see cref="ApiException"/>.
/// A duplicate is a 409 with the first entry's index, as rekor-tiles answers; with
/// <c>--duplicate-returns-entry</c> (rekor-tiles#620) it is that entry, with a fresh proof, once
/// the log is seen to hold exactly the body sent.
/// </summary>
public sealed class EntryService
{
    private readonly HashedRekordValidator _validator;
    private readonly DedupAppender? _appender;
    private readonly ITransparencyLog? _log;
    private readonly byte[] _logId;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly TreeProofs? _proofs;
    private readonly PendingWrites _pending;
    private readonly bool _duplicateReturnsEntry;
    // Any client can send invalid entries at will: one line per interval for them all.
    private readonly LogThrottle _rejections = new();

    /// <param name="appender">Null in read-only mode: every write is answered 405.</param>
    /// <param name="maxPending">Most writes in progress at once (<c>--max-pending-writes</c>); 0: no limit.</param>
    /// <param name="duplicateReturnsEntry">Answer a duplicate with the logged entry instead of a 409.</param>
    public EntryService(HashedRekordValidator validator, DedupAppender? appender, ITransparencyLog? log, byte[] logId,
        TimeSpan timeout, ILogger logger, int maxPending = 0, bool duplicateReturnsEntry = false)
    {
        _duplicateReturnsEntry = duplicateReturnsEntry;
        _pending = new PendingWrites(maxPending);
        _validator = validator;
        _appender = appender;
        _log = log;
        _logId = logId;
        _timeout = timeout;
        _logger = logger;
        _proofs = log is null ? null : new TreeProofs(log.Reader, logger);
    }

    /// <summary>Counts server-side inclusion proofs that did not verify: should stay zero.</summary>
    public long InclusionProofFailures => _proofs?.Failures ?? 0;

    /// <summary>Writes in progress (validated, or waiting for sequencing or their checkpoint): a metric.</summary>
    public int PendingWrites => _pending.Count;

    /// <summary>Counts entries answered 201.</summary>
    public long EntriesCreated => Interlocked.Read(ref _created);
    private long _created;

    /// <summary>Counts duplicates answered with their logged entry (<c>--duplicate-returns-entry</c>).</summary>
    public long DuplicatesReturned => Interlocked.Read(ref _duplicatesReturned);
    private long _duplicatesReturned;

    /// <param name="clientTimeout">The client's own deadline (gRPC's grpc-timeout), if it sent one:
    /// the write then has the shorter of it and the server timeout, as rekor-tiles' handler context.</param>
    public Task<CreatedEntry> CreateAsync(CreateEntryRequest request, CancellationToken clientGone, TimeSpan? clientTimeout = null)
    {
        if (!_pending.TryEnter())
            return Task.FromException<CreatedEntry>(ApiErrors.Pushback());
        // Validated before the first await, so that a write waiting for its checkpoint holds the
        // canonical entry only, not the request with its certificate and signature.
        try
        {
            var entry = Validate(request);
            TimeSpan timeout = clientTimeout is { } client && client < _timeout ? client : _timeout;
            if (timeout <= TimeSpan.Zero)
                throw ApiErrors.Timeout(); // already passed: answered before sequencing, so nothing is appended
            return CountedOut(AppendAsync(entry, timeout, clientGone));
        }
        catch (Exception e)
        {
            _pending.Exit();
            return Task.FromException<CreatedEntry>(e);
        }
    }

    private async Task<CreatedEntry> CountedOut(Task<CreatedEntry> write)
    {
        try
        {
            return await write.ConfigureAwait(false);
        }
        finally
        {
            _pending.Exit();
        }
    }

    private ValidatedEntry Validate(CreateEntryRequest request)
    {
        if (_appender is null)
            throw ApiErrors.Frozen();
        try
        {
            return _validator.Validate(request);
        }
        catch (InvalidEntryException e)
        {
            if (_rejections.TryPass(out int heldBack))
                HttpEvents.InvalidEntry(_logger, e.Detail, heldBack);
            throw ApiErrors.Invalid(e.Message);
        }
    }

    private async Task<CreatedEntry> AppendAsync(ValidatedEntry entry, TimeSpan timeout, CancellationToken clientGone)
    {
        if (_appender is null || _log is null || _proofs is null)
            throw ApiErrors.Frozen();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(clientGone);
        deadline.CancelAfter(timeout);
        LogIndex index;
        bool answered;
        InclusionProof? proof = null;
        try
        {
            index = await _appender.AddAsync(entry.CanonicalBody, entry.Identity, deadline.Token).ConfigureAwait(false);
            var checkpoint = await _log.AwaitPublicationAsync(index.Index, deadline.Token).ConfigureAwait(false);
            answered = !index.IsDuplicate || (_duplicateReturnsEntry && await LoggedAsSentAsync(entry, index.Index, checkpoint, deadline.Token).ConfigureAwait(false));
            if (answered)
                proof = await _proofs.ProveAsync(entry.LeafHash, index.Index, checkpoint, deadline.Token).ConfigureAwait(false);
        }
        catch (EntryTooLargeException e)
        {
            // rekor-tiles answers 500 here (tessera's limit error); the log refused it before sequencing.
            if (_rejections.TryPass(out int heldBack))
                HttpEvents.EntryTooLarge(_logger, e.Length, heldBack);
            throw ApiErrors.IntegrationFailed();
        }
        catch (PushbackException)
        {
            throw ApiErrors.Pushback();
        }
        catch (OperationCanceledException) when (clientGone.IsCancellationRequested)
        {
            throw ApiErrors.ClientGone();
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw ApiErrors.Timeout();
        }
        catch (Exception e) when (e is not ApiException)
        {
            HttpEvents.IntegrationFailed(_logger, e);
            throw ApiErrors.IntegrationFailed();
        }
        if (!answered)
            throw ApiErrors.Duplicate(index.Index);
        if (proof is null)
            throw ApiErrors.IntegrationFailed();
        Interlocked.Increment(ref index.IsDuplicate ? ref _duplicatesReturned : ref _created);
        return new CreatedEntry(index.Index, _logId, entry.Kind, entry.Version, proof.RootHash, proof.TreeSize,
            proof.Hashes, proof.Envelope, entry.CanonicalBody, index.IsDuplicate);
    }

    /// <summary>
    /// True when the log holds, at the index dedup gave, exactly the canonical body this request
    /// makes. Equal identities mean equal bodies unless the dedup index is damaged: an entry is only
    /// handed out as the client's own when the bytes say so; otherwise the client gets the 409 it
    /// would get without the option, and the mismatch is logged.
    /// </summary>
    private async Task<bool> LoggedAsSentAsync(ValidatedEntry entry, long index, PublishedCheckpoint checkpoint, CancellationToken cancel)
    {
        var logged = await StoredEntries.ReadAsync(_log!.Reader, index, checkpoint.Size, cancel).ConfigureAwait(false);
        if (logged.Span.SequenceEqual(entry.CanonicalBody))
            return true;
        HttpEvents.DuplicateIndexMismatch(_logger, index);
        return false;
    }
}
