# Sourced by the bench scripts that start a serve of their own and report checks (soak.sh,
# hostile.sh): one PASS/FAIL line per check and their totals, the work directory, and the
# binaries they drive.
#
# bench_setup NAME HOSTNAME [BIN]: $work ($WORK, or a new /tmp/rekorposix-NAME.*, printed); the
# counters and pass/fail/check; a trap that kills $server_pid on exit; $bin (BIN, or serve
# published into $work/out); $bench (rekor-bench built from bench/RekorPosix.Bench); a log key
# for HOSTNAME in $work/key.pem and its $vkey. Exits 1 when a build or keygen fails.
bench_setup() {
    local name=$1 hostname=$2
    work=${WORK:-$(mktemp -d "/tmp/rekorposix-$name.XXXXXX")}
    mkdir -p "$work"
    echo "$name: outputs in $work"
    passed=0
    failed=0
    server_pid=""
    trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null' EXIT
    bin=${3:-}
    if [ -z "$bin" ]; then
        dotnet publish RekorPosix.csproj -c Release -r linux-x64 -o "$work/out" > "$work/publish.log" 2>&1 || { cat "$work/publish.log"; exit 1; }
        bin="$work/out/rekor-server-posix"
    fi
    dotnet build bench/RekorPosix.Bench -c Release > "$work/bench-build.log" 2>&1 || { cat "$work/bench-build.log"; exit 1; }
    bench="dotnet $root/bench/RekorPosix.Bench/bin/Release/net10.0/rekor-bench.dll"
    "$bin" keygen --output "$work/key.pem" --hostname "$hostname" > "$work/keygen.txt" || { echo "FAIL $name: keygen"; exit 1; }
    vkey=$(sed -n 's/^Verifier key: //p' "$work/keygen.txt")
}
pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
