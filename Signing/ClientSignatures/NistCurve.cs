namespace RekorPosix.Signing.ClientSignatures;

/// <summary>The ECDSA curves a client key may use.</summary>
public enum NistCurve
{
    P256,
    P384,
    P521,
}

public static class NistCurveExtensions
{
    /// <summary>Go's elliptic.Curve name ("P-256"), used in the logged refusal reasons.</summary>
    public static string GoName(this NistCurve curve) => curve switch
    {
        NistCurve.P256 => "P-256",
        NistCurve.P384 => "P-384",
        _ => "P-521",
    };

    /// <summary>Bytes in one coordinate or one signature half.</summary>
    public static int FieldSize(this NistCurve curve) => curve switch
    {
        NistCurve.P256 => 32,
        NistCurve.P384 => 48,
        _ => 66,
    };
}
