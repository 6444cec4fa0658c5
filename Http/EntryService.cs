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
/// </summary>
public sealed class EntryService
{
    private readonly HashedRekordValidator _validator;
    private readonly DedupAppender? _appender;
    private readonly ITransparencyLog? _log;
    private readonly byte[] _logId;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly InclusionProofs? _proofs;
    // Any client can send invalid entries at will: one line per interval for them all.
    private readonly LogThrottle _rejections = new();

    /// <param name="appender">Null in read-only mode: every write is answered 405.</param>
    public EntryService(HashedRekordValidator validator, DedupAppender? appender, ITransparencyLog? log, byte[] logId,
        TimeSpan timeout, ILogger logger)
    {
        _validator = validator;
        _appender = appender;
        _log = log;
        _logId = logId;
        _timeout = timeout;
        _logger = logger;
        _proofs = log is null ? null : new InclusionProofs(log, logger);
    }

    /// <summary>Counts server-side inclusion proofs that did not verify: should stay zero.</summary>
    public long InclusionProofFailures => _proofs?.Failures ?? 0;

    /// <summary>Counts entries answered 201.</summary>
    public long EntriesCreated => Interlocked.Read(ref _created);
    private long _created;

    /// <param name="clientTimeout">The client's own deadline (gRPC's grpc-timeout), if it sent one:
    /// the write then has the shorter of it and the server timeout, as rekor-tiles' handler context.</param>
    public async Task<CreatedEntry> CreateAsync(CreateEntryRequest request, CancellationToken clientGone, TimeSpan? clientTimeout = null)
    {
        if (_appender is null || _log is null || _proofs is null)
            throw ApiErrors.Frozen();
        ValidatedEntry entry;
        try
        {
            entry = _validator.Validate(request);
        }
        catch (InvalidEntryException e)
        {
            if (_rejections.TryPass(out int heldBack))
                HttpEvents.InvalidEntry(_logger, e.Detail, heldBack);
            throw ApiErrors.Invalid(e.Message);
        }
        TimeSpan timeout = clientTimeout is { } client && client < _timeout ? client : _timeout;
        if (timeout <= TimeSpan.Zero)
            throw ApiErrors.Timeout(); // already passed: answered before sequencing, so nothing is appended
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(clientGone);
        deadline.CancelAfter(timeout);
        LogIndex index;
        InclusionProof? proof = null;
        try
        {
            index = await _appender.AddAsync(entry.CanonicalBody, entry.Identity, deadline.Token).ConfigureAwait(false);
            var checkpoint = await _log.AwaitPublicationAsync(index.Index, deadline.Token).ConfigureAwait(false);
            if (!index.IsDuplicate)
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
        if (index.IsDuplicate)
            throw ApiErrors.Duplicate(index.Index);
        if (proof is null)
            throw ApiErrors.IntegrationFailed();
        Interlocked.Increment(ref _created);
        return new CreatedEntry(index.Index, _logId, entry.Kind, entry.Version, proof.RootHash, proof.TreeSize,
            proof.Hashes, proof.Envelope, entry.CanonicalBody);
    }
}
