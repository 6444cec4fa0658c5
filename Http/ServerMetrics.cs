using Prometheus;
using RekorPosix.Log;

namespace RekorPosix.Http;

/// <summary>
/// Every metric <c>serve</c> exports, in its own registry (no process or runtime collectors, as
/// rekor-tiles). The <c>rekor_v2_*</c> and <c>grpc_server_*</c> names are rekor-tiles' own, so
/// dashboards carry over; <c>rekor_posix_*</c> are ours. Durations are in seconds, sizes in bytes
/// or entries as the name says.
/// </summary>
public sealed class ServerMetrics
{
    private static readonly double[] LatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30];
    private static readonly double[] SizeBuckets = Histogram.ExponentialBuckets(64, 4, 10);

    public ServerMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var f = Metrics.WithCustomRegistry(Registry);

        NewEntries = f.CreateCounter("rekor_v2_new_hashedrekord_entries", "Entries added to the log (each answered 201).");
        HttpRequests = f.CreateCounter("rekor_v2_http_requests_total", "HTTP requests to the API.", "code", "method");
        HttpLatency = f.CreateHistogram("rekor_v2_http_api_latency", "Latency of HTTP API requests, in seconds.",
            new HistogramConfiguration { LabelNames = ["code", "method"], Buckets = LatencyBuckets });
        HttpRequestSize = f.CreateHistogram("rekor_v2_http_api_request_size", "Size of HTTP API request bodies, in bytes.",
            new HistogramConfiguration { LabelNames = ["code", "method"], Buckets = SizeBuckets });
        InclusionProofFailures = f.CreateCounter("rekor_v2_inclusion_proof_failure_total",
            "Inclusion proofs the server could not build from its tiles or built and found not to verify (should always be zero).");
        var buildInfo = f.CreateGauge("rekor_v2_build_info", "Build facts; the value is always 1.",
            "version", "revision", "build_date", "goversion");
        buildInfo.WithLabels(BuildInfo.Version, BuildInfo.Revision, BuildInfo.BuildDate,
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription).Set(1);

        GrpcRequestSize = f.CreateHistogram("rekor_v2_grpc_api_request_size", "Size of gRPC request messages, in bytes.",
            new HistogramConfiguration { LabelNames = ["grpc_service", "grpc_method", "grpc_packet_part"], Buckets = SizeBuckets });
        GrpcPanicsRecovered = f.CreateCounter("rekor_v2_grpc_req_panics_recovered_total",
            "gRPC calls that failed with an unexpected exception (answered Internal).");
        GrpcStarted = f.CreateCounter("grpc_server_started_total", "RPCs started on the server.", "grpc_type", "grpc_service", "grpc_method");
        GrpcHandled = f.CreateCounter("grpc_server_handled_total", "RPCs completed on the server, whatever their status.",
            "grpc_type", "grpc_service", "grpc_method", "grpc_code");
        GrpcReceived = f.CreateCounter("grpc_server_msg_received_total", "RPC messages received on the server.", "grpc_type", "grpc_service", "grpc_method");
        GrpcSent = f.CreateCounter("grpc_server_msg_sent_total", "RPC messages sent by the server.", "grpc_type", "grpc_service", "grpc_method");
        GrpcHandling = f.CreateHistogram("grpc_server_handling_seconds", "Time to handle an RPC, in seconds.",
            new HistogramConfiguration { LabelNames = ["grpc_type", "grpc_service", "grpc_method"], Buckets = LatencyBuckets });

        IntegratedSize = f.CreateGauge("rekor_posix_integrated_size", "Entries integrated into the tree (durable, maybe not yet published).");
        PublishedSize = f.CreateGauge("rekor_posix_published_size", "Size of the latest published checkpoint.");
        AntispamLag = f.CreateGauge("rekor_posix_antispam_follower_lag", "Integrated entries the dedup index has not seen yet.");
        SearchIndexLag = f.CreateGauge("rekor_posix_search_index_lag", "Integrated entries the search index has not seen yet (--search-index).");
        SearchIndexSkipped = f.CreateCounter("rekor_posix_search_index_unparseable_entries_total",
            "Entries the search index found neither hashedrekord nor dsse v0.0.2 (indexed by their leaf hash only).");
        BatchSize = f.CreateHistogram("rekor_posix_batch_size", "Entries per sequenced batch.",
            new HistogramConfiguration { Buckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] });
        IntegrationSeconds = f.CreateHistogram("rekor_posix_integration_seconds", "Time to sequence one batch durably (posix: its integration included), in seconds.",
            new HistogramConfiguration { Buckets = LatencyBuckets });
        PublicationLatency = f.CreateHistogram("rekor_posix_publication_latency_seconds",
            "Time from an entry's integration to the checkpoint that covers it, for the oldest entry of each checkpoint, in seconds.",
            new HistogramConfiguration { Buckets = LatencyBuckets });
        TileRequests = f.CreateCounter("rekor_posix_tile_requests_total", "Requests to the tile listener.", "code");

        ResidentBytes = f.CreateGauge("rekor_posix_process_resident_bytes", "Resident set size of the process (VmRSS), in bytes.");
        GcHeapBytes = f.CreateGauge("rekor_posix_gc_heap_bytes", "Managed heap after the last garbage collection, by generation (gen0, gen1, gen2, loh, poh), in bytes.", "generation");
        GcCommittedBytes = f.CreateGauge("rekor_posix_gc_committed_bytes", "Memory the garbage collector has committed (in use and kept for reuse), in bytes.");
        GcCollections = f.CreateGauge("rekor_posix_gc_collections", "Garbage collections since start, by generation.", "generation");
        PendingWrites = f.CreateGauge("rekor_posix_pending_writes", "Writes in progress: validated, or waiting for sequencing or their checkpoint (--max-pending-writes caps it).");
        TileCacheBytes = f.CreateGauge("rekor_posix_tile_cache_bytes", "Tiles and bundles held in memory by the read ports, in bytes (--tiles-cache-size caps it).");

        WitnessRequests = f.CreateCounter("rekor_posix_witness_requests_total",
            "add-checkpoint requests to each witness URL, by outcome (ok, conflict, timeout, unreachable, bad_cosignature, http_<status>, ...).", "witness", "outcome");
        WitnessLatency = f.CreateHistogram("rekor_posix_witness_request_seconds", "Time each witness URL took to answer a checkpoint (409 retries included), in seconds.",
            new HistogramConfiguration { LabelNames = ["witness"], Buckets = LatencyBuckets });
        WitnessCosignatures = f.CreateHistogram("rekor_posix_witness_cosignatures", "Witnesses whose cosignature a published checkpoint carries.",
            new HistogramConfiguration { Buckets = [0, 1, 2, 3, 4, 5, 8, 16, 32] });
        WitnessFailedOpen = f.CreateCounter("rekor_posix_witness_failed_open_total",
            "Checkpoints published without the witness policy's quorum (fail-open; see --witness-fail-closed).");
        ProofRouteFailures = f.CreateCounter("rekor_posix_proof_route_failures_total",
            "Inclusion and consistency proofs the proof routes could not build from the tiles or found not to verify, answered 500 (should always be zero).");
        DuplicatesReturned = f.CreateCounter("rekor_posix_duplicates_returned_total",
            "Duplicates answered 200 with their logged entry (--duplicate-returns-entry) instead of 409.");
        SpannerTransactions = f.CreateCounter("rekor_posix_spanner_transactions_total",
            "Read-write transactions on Spanner (gcp), by outcome: committed, aborted (a lock conflict; run again), abandoned (ended without a commit: refused, failed or timed out).",
            "outcome");
    }

    public CollectorRegistry Registry { get; }
    public Counter NewEntries { get; }
    public Counter DuplicatesReturned { get; }
    public Counter SpannerTransactions { get; }
    public Counter HttpRequests { get; }
    public Histogram HttpLatency { get; }
    public Histogram HttpRequestSize { get; }
    public Counter InclusionProofFailures { get; }
    public Counter ProofRouteFailures { get; }
    public Gauge PendingWrites { get; }
    public Histogram GrpcRequestSize { get; }
    public Counter GrpcPanicsRecovered { get; }
    public Counter GrpcStarted { get; }
    public Counter GrpcHandled { get; }
    public Counter GrpcReceived { get; }
    public Counter GrpcSent { get; }
    public Histogram GrpcHandling { get; }
    public Gauge IntegratedSize { get; }
    public Gauge PublishedSize { get; }
    public Gauge AntispamLag { get; }
    public Gauge SearchIndexLag { get; }
    public Counter SearchIndexSkipped { get; }
    public Histogram BatchSize { get; }
    public Histogram IntegrationSeconds { get; }
    public Histogram PublicationLatency { get; }
    public Counter TileRequests { get; }
    public Gauge ResidentBytes { get; }
    public Gauge GcHeapBytes { get; }
    public Gauge GcCommittedBytes { get; }
    public Gauge GcCollections { get; }
    public Gauge TileCacheBytes { get; }
    public Counter WitnessRequests { get; }
    public Histogram WitnessLatency { get; }
    public Histogram WitnessCosignatures { get; }
    public Counter WitnessFailedOpen { get; }

    private static readonly string[] Generations = ["gen0", "gen1", "gen2", "loh", "poh"];

    /// <summary>Where the process's memory is, read at each scrape: resident set, the managed heap
    /// by generation as the last collection left it, what the GC keeps committed, and the tile cache.</summary>
    public void ObserveMemory(long tileCacheBytes)
    {
        ResidentBytes.Set(Environment.WorkingSet);
        var info = GC.GetGCMemoryInfo();
        var generations = info.GenerationInfo;
        for (int i = 0; i < generations.Length && i < Generations.Length; i++)
            GcHeapBytes.WithLabels(Generations[i]).Set(generations[i].SizeAfterBytes);
        GcCommittedBytes.Set(info.TotalCommittedBytes);
        for (int i = 0; i <= GC.MaxGeneration; i++)
            GcCollections.WithLabels(Generations[i]).Set(GC.CollectionCount(i));
        TileCacheBytes.Set(tileCacheBytes);
    }

    /// <summary>The transaction outcomes a flavour's connections counted (<see cref="IStorageTransactions"/>).</summary>
    public void ObserveTransactions(TransactionCounts counts)
    {
        SpannerTransactions.WithLabels("committed").IncTo(counts.Committed);
        SpannerTransactions.WithLabels("aborted").IncTo(counts.Aborted);
        SpannerTransactions.WithLabels("abandoned").IncTo(counts.Abandoned);
    }

    /// <summary>One witness request ended: its failures are the outcomes other than "ok".</summary>
    public void ObserveWitness(string url, string outcome, TimeSpan took)
    {
        WitnessRequests.WithLabels(url, outcome).Inc();
        WitnessLatency.WithLabels(url).Observe(took.TotalSeconds);
    }

    /// <summary>A checkpoint was made with <paramref name="cosignatures"/> witnesses' lines.</summary>
    public void ObserveWitnessedCheckpoint(int cosignatures, bool failedOpen)
    {
        WitnessCosignatures.Observe(cosignatures);
        if (failedOpen)
            WitnessFailedOpen.Inc();
    }

    /// <summary>Records one finished HTTP API request; <paramref name="method"/> is the client's and is
    /// reduced to a closed set here.</summary>
    public void ObserveHttp(string method, int status, double seconds, long requestBytes)
    {
        string code = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        method = MetricLabels.HttpMethod(method);
        HttpRequests.WithLabels(code, method).Inc();
        HttpLatency.WithLabels(code, method).Observe(seconds);
        HttpRequestSize.WithLabels(code, method).Observe(requestBytes);
    }

    /// <summary>The Prometheus text exposition of every metric.</summary>
    public Task WriteAsync(Stream output, CancellationToken cancel) => Registry.CollectAndExportAsTextAsync(output, cancel);
}
