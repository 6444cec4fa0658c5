using RekorPosix.Signing.Witnessing;
using RekorPosix.Tiles;

namespace RekorPosix.Log.Witnessing;

/// <summary>A witness's answer to one add-checkpoint request: the verdict, the checkpoint once it
/// parsed (for the log line), and the cosignature line when it cosigned.</summary>
internal sealed record AddCheckpointResult(WitnessVerdict Verdict, Checkpoint? Checkpoint, string? Cosignature);
