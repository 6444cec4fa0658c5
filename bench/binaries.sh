# Sourced by the catch-up benchmarks (monitor.sh, search-index.sh), from the repository root with
# $work set: $bin is the server (BIN, or a fresh publish into $work/out), $bench the load generator
# and log builder (rekor-bench, built), $work/key.pem a log key for HOSTNAME (its verifier key in
# $work/keygen.txt).
#   bench_binaries HOSTNAME
bench_binaries() {
    if [ -n "${BIN:-}" ]; then
        bin=$BIN
    else
        dotnet publish RekorPosix.csproj -c Release -r linux-x64 -o "$work/out" > "$work/publish.log" 2>&1
        bin="$work/out/rekor-server-posix"
    fi
    dotnet build bench/RekorPosix.Bench -c Release > "$work/bench-build.log" 2>&1
    bench="dotnet $(pwd)/bench/RekorPosix.Bench/bin/Release/net10.0/rekor-bench.dll"
    [ -f "$work/key.pem" ] || "$bin" keygen --output "$work/key.pem" --hostname "$1" > "$work/keygen.txt"
}
