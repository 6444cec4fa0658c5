namespace RekorPosix.Log.Witnessing;

/// <summary>With --witness-fail-closed: the witnesses did not cosign enough for the policy's quorum
/// in time, so this publication stores nothing and the next one tries again.</summary>
public sealed class WitnessQuorumException(string message) : Exception(message);
