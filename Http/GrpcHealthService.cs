using Grpc.Core;
using Grpc.Health.V1;

namespace RekorPosix.Http;

/// <summary><c>grpc.health.v1.Health</c> as rekor-tiles answers it: SERVING for any service name
/// while the process runs; Watch is not implemented.</summary>
public sealed class GrpcHealthService : Health.HealthBase
{
    private static readonly HealthCheckResponse Serving = new() { Status = HealthCheckResponse.Types.ServingStatus.Serving };

    public override Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context) =>
        Task.FromResult(Serving);
}
