#!/usr/bin/env bash
# Runs every test of RekorPosix on a fresh Debian bookworm machine with the .NET 10 SDK:
# installs what the tests need, runs the xunit suite, publishes the native AOT binary and checks
# it (one file, zero IL/AOT warnings, only libc/libm/OpenSSL needed, real commands against a real
# log, the crash test against the native binary). Ends with "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d /tmp/rekorposix-run.XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }

# ---- what the tests need ---------------------------------------------------------------------
need=()
command -v flock >/dev/null || need+=(util-linux)
command -v cc >/dev/null || need+=(gcc)
command -v clang >/dev/null || need+=(clang)
command -v curl >/dev/null || need+=(curl)
command -v promtool >/dev/null || need+=(prometheus)
# The reliability scripts (tests/reliability) and the fsync regression tests.
command -v strace >/dev/null || need+=(strace)
command -v python3 >/dev/null || need+=(python3)
command -v openssl >/dev/null || need+=(openssl)
# SQLite for the antispam index: the tests load libsqlite3.so.0, the AOT link takes libsqlite3.a.
[ -f "/usr/lib/$(uname -m)-linux-gnu/libsqlite3.a" ] || need+=(libsqlite3-dev)
# The read path is compared with the real Debian nginx running packaging/nginx/rekor-posix.conf.
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v wrk >/dev/null || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
        sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    fi
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# ---- unit and integration tests (xunit) ------------------------------------------------------
dotnet test tests/RekorPosix.Tests -c Release --logger "console;verbosity=normal" \
    --logger "trx;LogFileName=$work/results.trx" 2>&1 | tee "$work/test.log"
# The trx counters are the one summary format that does not change with the logger's verbosity.
counters=$(grep -o '<Counters [^>]*>' "$work/results.trx" 2>/dev/null)
t_passed=$(sed -nE 's/.* passed="([0-9]+)".*/\1/p' <<<"$counters")
t_failed=$(sed -nE 's/.* failed="([0-9]+)".*/\1/p' <<<"$counters")
if [ -z "$t_passed" ]; then
    fail "xunit suite did not run to a summary"
else
    passed=$((passed + t_passed))
    failed=$((failed + ${t_failed:-0}))
    echo "xunit: $t_passed passed, ${t_failed:-0} failed"
fi

# ---- native AOT binary ----------------------------------------------------------------------
dotnet publish RekorPosix.csproj -c Release -r linux-x64 -o "$work/out" 2>&1 | tee "$work/publish.log"
bin="$work/out/rekor-server-posix"
check "publish produced out/rekor-server-posix" test -x "$bin"
check "publish had zero IL/AOT warnings" bash -c "! grep -qE 'warning (IL|AOT)[0-9]+' '$work/publish.log'"
check "publish output is one executable (plus .dbg)" bash -c "[ \"\$(ls '$work/out' | grep -v '\.dbg$')\" = rekor-server-posix ]"
check "binary needs only libc, libm and the system loader" bash -c \
    "! ldd '$bin' | grep -vE 'linux-vdso|libc\.so|libm\.so|ld-linux|libgcc_s|libstdc|libpthread|libdl|librt' | grep -q ."
ls -l "$bin"

if [ -x "$bin" ]; then
    cd "$work"
    check "serve --help is grouped" bash -c "'$bin' serve --help | grep -q '^Listeners:'"
    check "bash completion suggests flags" bash -c \
        "source '$root/packaging/completion/rekor-server-posix.bash'; COMP_LINE='rekor-server-posix serve --http-p'; COMP_POINT=\${#COMP_LINE}; COMP_WORDS=('$bin' serve --http-p); COMP_CWORD=2; _rekor_server_posix; [ \"\${COMPREPLY[*]}\" = --http-port ]"
    check "version runs" bash -c "'$bin' version | grep -q 'native AOT'"
    check "keygen writes a 0600 key and prints its identity" bash -c \
        "'$bin' keygen --output key.pem --hostname example.test/log > keygen.txt && [ \"\$(stat -c %a key.pem)\" = 600 ] && grep -q '^Verifier key: example.test/log+' keygen.txt && grep -q 'BEGIN PUBLIC KEY' keygen.txt"
    check "keygen refuses to overwrite" bash -c "! '$bin' keygen --output key.pem --hostname example.test/log 2>/dev/null"
    vkey=$(sed -n 's/^Verifier key: //p' keygen.txt)
    for i in $(seq 1 700); do echo "entry $i"; done > entries.txt
    check "add appends 700 entries" bash -c "'$bin' add --storage-dir log --signer-filepath key.pem --hostname example.test/log --stdin-lines < entries.txt | wc -l | grep -qx 700"
    check "fsck passes on the log just written" "$bin" fsck --storage-dir log --vkey "$vkey"
    check "fsck passes on the tessera log" "$bin" fsck --storage-dir "$root/tests/testdata/tessera-log" --vkey "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx"
    check "fsck passes on the x/mod log" "$bin" fsck --storage-dir "$root/tests/testdata/xmod-log/log" --vkey "$(cat "$root/tests/testdata/xmod-log/vkey")"
    cp -r "$root/tests/testdata/xmod-log/log" damaged && chmod -R u+w damaged
    printf '\x01' | dd of=damaged/tile/0/100 bs=1 seek=77 conv=notrunc status=none
    check "fsck fails on a damaged log and names the file" bash -c \
        "! '$bin' fsck --storage-dir damaged --vkey '$(cat "$root/tests/testdata/xmod-log/vkey")' 2> fsck.err && grep -q 'tile/0/100' fsck.err"
    check "fsck without a key is a usage error (exit 2)" bash -c "'$bin' fsck --storage-dir log 2>/dev/null; [ \$? = 2 ]"
    # serve with the embedded default: generated key, ./rekor-data, /healthz.
    mkdir -p embedded && cd embedded
    "$bin" serve --http-port 3999 --hostname localhost > serve.log 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do curl -fs http://127.0.0.1:3999/healthz > health.json 2>/dev/null && break; sleep 0.1; done
    check "serve answers /healthz with SERVING" grep -q '"status":"SERVING"' health.json
    curl -fs http://127.0.0.1:2112/metrics > metrics.txt
    check "metrics scrape has rekor-tiles' names" grep -q '^rekor_v2_new_hashedrekord_entries 0' metrics.txt
    # promtool lints the live scrape; the one accepted finding is rekor-tiles' own counter name
    # without _total, kept so that existing dashboards work.
    promtool check metrics < metrics.txt > promtool.txt 2>&1
    check "promtool check metrics finds nothing but the rekor-tiles counter name" bash -c \
        "! grep -v 'rekor_v2_new_hashedrekord_entries counter metrics should have \"_total\" suffix' promtool.txt | grep -q ."
    cat promtool.txt
    check "serve keeps its dedup index in .state/antispam.db" test -s rekor-data/log/.state/antispam.db
    check "SQLite is linked into the binary" grep -a -q 'SQLite format 3' "$bin"
    check "serve generated a 0600 key outside the log" bash -c "[ \"\$(stat -c %a rekor-data/signer.pem)\" = 600 ] && [ -f rekor-data/log/checkpoint ]"
    kill -TERM $pid; wait $pid
    check "serve exits 0 on SIGTERM" test $? = 0
    cd "$work"
    # ---- read path: the tile listener against the real nginx with the packaged site --------------
    # A log of 700 entries written in 7 runs of add, so that partial tiles and bundles of many
    # widths exist beside the full ones; every public file is fetched through both and compared
    # with the file on disk, byte for byte, with the headers that matter.
    mkdir -p readlog-input
    for run in $(seq 0 6); do
        for i in $(seq $((run * 100)) $((run * 100 + 99))); do printf 'entry %d %0*d\n' "$i" $((i % 300 + 1)) 0; done > "readlog-input/$run.txt"
        "$bin" add --storage-dir readlog --signer-filepath key.pem --hostname example.test/log --stdin-lines < "readlog-input/$run.txt" > /dev/null 2>> add.log
    done
    check "add wrote a 700-entry log in 7 runs" grep -q '^700$' <(sed -n 2p readlog/checkpoint)
    "$bin" serve --storage-dir readlog --signer-filepath key.pem --hostname example.test/log \
        --http-port 3910 --grpc-port 3911 --tiles-port 3912 > tiles-serve.log 2>&1 &
    serve_pid=$!
    for _ in $(seq 1 100); do curl -fs -o /dev/null http://127.0.0.1:3912/checkpoint && break; sleep 0.1; done
    nginx_pid=$(bash "$root/tests/nginx-local.sh" "$work/nginx" readlog 3913 3910 2) || nginx_pid=""
    check "nginx runs packaging/nginx/rekor-posix.conf" test -n "$nginx_pid"
    # Status and the headers that matter, names lower-cased, as one line per header.
    read_headers() { tr -d '\r' < "$1" | awk 'NR == 1 { print $2 } tolower($1) ~ /^(content-type|content-length|cache-control|access-control-allow-origin):$/ { $1 = tolower($1); print }' | sort; }
    compare_file() {
        local path=$1 method=${2:-GET} ok=0 port prefix
        for prefix in "" "api/v2/"; do
            for port in 3912 3913; do
                curl -s -X "$method" $([ "$method" = HEAD ] && echo -I) -D "h.$port" -o "b.$port" "http://127.0.0.1:$port/$prefix$path" || { echo "  $port/$prefix$path: curl failed"; ok=1; }
            done
            if [ "$method" = GET ] && { ! cmp -s b.3912 "readlog/$path" || ! cmp -s b.3913 "readlog/$path"; }; then
                echo "  /$prefix$path: body differs from the file"; ok=1
            fi
            if [ "$(read_headers h.3912)" != "$(read_headers h.3913)" ]; then
                echo "  /$prefix$path ($method): headers differ"; diff <(read_headers h.3912) <(read_headers h.3913) | sed 's/^/    /'; ok=1
            fi
        done
        return $ok
    }
    files=$(cd readlog && find . -type f -not -path '*/.*' | sed 's|^\./||' | sort)
    echo "read path: $(wc -l <<<"$files") public files"
    mismatches=0
    for f in $files; do compare_file "$f" || mismatches=$((mismatches + 1)); done
    check "every public file: tile listener = nginx = disk (bodies and headers, root and /api/v2)" test "$mismatches" = 0
    check "more than 20 public files, partials of several widths among them" bash -c "[ $(wc -l <<<"$files") -gt 20 ] && [ $(grep -c '^tile/0/002.p/' <<<"$files") -gt 1 ]"
    heads=0
    for f in checkpoint tile/0/000 tile/entries/001 "$(grep '^tile/entries/002.p/' <<<"$files" | tail -1)"; do compare_file "$f" HEAD || heads=1; done
    check "HEAD: same status and headers from both" test "$heads" = 0
    missing=0
    for path in .state/treeState .state/version tile/0/999 tile/entries/003 tile/0/000.p/0 tile/0/000.p/256 tile/3/000 nope; do
        for port in 3912 3913; do
            code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/$path")
            [ "$code" = 404 ] || { echo "  $port/$path: $code"; missing=1; }
        done
    done
    check "private, absent and malformed paths are 404 from both" test "$missing" = 0
    check "nginx proxies /healthz to the server" bash -c "curl -s http://127.0.0.1:3913/healthz | grep -q SERVING"
    check "nginx proxies POST /api/v2/log/entries to the server" bash -c \
        "curl -s -X POST -d '{}' http://127.0.0.1:3913/api/v2/log/entries | grep -q '\"code\":3'"
    check "curl reuses one keep-alive connection for three requests" bash -c \
        "[ \"\$(curl -s -o /dev/null -o /dev/null -o /dev/null -w '%{num_connects}' http://127.0.0.1:3912/checkpoint http://127.0.0.1:3912/tile/0/000 http://127.0.0.1:3912/api/v2/tile/entries/001)\" = 100 ]"
    for url in /tile/0/000 /api/v2/tile/entries/001; do
        wrk -t1 -c8 -d2s "http://127.0.0.1:3912$url" > wrk.txt 2>&1
        check "wrk smoke on $url: requests served, no errors" bash -c \
            "grep -q 'Requests/sec' wrk.txt && ! grep -qE 'Non-2xx|Socket errors' wrk.txt"
        grep 'Requests/sec' wrk.txt
    done
    kill -TERM "$serve_pid"; wait "$serve_pid"
    check "serve with the tile listener exits 0 on SIGTERM" test $? = 0
    [ -n "$nginx_pid" ] && kill "$nginx_pid"
    cd "$root"
    # The crash test again, now killing the native binary.
    REKOR_SERVER_BINARY="$bin" CRASH_ROUNDS="${CRASH_ROUNDS:-20}" dotnet test tests/RekorPosix.Tests -c Release --no-build \
        --filter "FullyQualifiedName~CrashSafetyTests" > "$work/crash.log" 2>&1
    check "crash test against the native binary" grep -qE '^Passed!' "$work/crash.log"
    grep -E 'rounds|Passed!|Failed!' "$work/crash.log" || tail -n 40 "$work/crash.log"
    # Smoke of the write benchmark (bench/write.sh, BENCHMARKS.md): the load generator against the
    # native server and its verify-only reference, at a small size. It checks that every entry is
    # accepted and every figure is printed, never how fast.
    if dotnet build bench/RekorPosix.Bench -c Release > "$work/bench-build.log" 2>&1; then
        bench_dll="$root/bench/RekorPosix.Bench/bin/Release/net10.0/rekor-bench.dll"
        rm -rf "$work/benchlog"
        dotnet "$bench_dll" verify-endpoint 3930 > "$work/verify-endpoint.log" 2>&1 &
        verify_pid=$!
        "$bin" serve --storage-dir "$work/benchlog" --signer-filepath "$work/key.pem" --hostname example.test/log \
            --http-port 3931 --grpc-port 3932 --http-metrics-port 3933 --tiles-port 3934 --checkpoint-interval 100ms > "$work/bench-serve.log" 2>&1 &
        bench_pid=$!
        for _ in $(seq 1 100); do curl -fs -o /dev/null http://127.0.0.1:3931/healthz && [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{}' http://127.0.0.1:3930/)" = 400 ] && break; sleep 0.1; done
        dotnet "$bench_dll" --url http://127.0.0.1:3931 --count 300 --concurrency 50 --server-pid "$bench_pid" \
            --reference-url http://127.0.0.1:3930 --reference-pid "$verify_pid" > "$work/bench.txt" 2>&1
        cat "$work/bench.txt"
        check "bench smoke: 300 fulcio entries accepted, both references and CPU figures printed" bash -c \
            "grep -q '^accepted: 300/300 ' '$work/bench.txt' && grep -q '(300/300 answered 201)' '$work/bench.txt' && grep -q '^ceiling: ' '$work/bench.txt' && grep -q '^cpu ratio: ' '$work/bench.txt'"
        dotnet "$bench_dll" --url http://127.0.0.1:3931 --count 200 --rate 100 --no-ceiling --mix mixed > "$work/bench-rate.txt" 2>&1
        cat "$work/bench-rate.txt"
        check "bench smoke: 200 mixed entries at a fixed rate accepted" grep -q '^accepted: 200/200 ' "$work/bench-rate.txt"
        kill -TERM "$bench_pid" "$verify_pid"; wait "$bench_pid" "$verify_pid" 2>/dev/null
        check "fsck passes on the bench's log" "$bin" fsck --storage-dir "$work/benchlog" --vkey "$vkey"
    else
        tail -n 20 "$work/bench-build.log"
        fail "bench smoke: rekor-bench builds"
    fi
    # Reliability (tests/reliability, see RELIABILITY.md): a seeded sample of the strace fault
    # sweep (all of it: tests/reliability/faults.sh BIN --full), a disk filling up under load,
    # several processes on one directory, and a short soak. Their PASS/FAIL lines count into the totals.
    reliability() { # NAME COMMAND...: runs one script and counts its PASS/FAIL lines
        local name=$1 rc
        shift
        "$@" > "$work/$name.log" 2>&1
        rc=$?
        cat "$work/$name.log"
        passed=$((passed + $(grep -c '^PASS ' "$work/$name.log")))
        failed=$((failed + $(grep -c '^FAIL ' "$work/$name.log")))
        if [ "$rc" != 0 ] && ! grep -q '^FAIL ' "$work/$name.log"; then fail "$name exited $rc without a FAIL line"; fi
    }
    reliability faults bash "$root/tests/reliability/faults.sh" "$bin" --sample "${FAULT_SAMPLE:-40}"
    reliability diskfull python3 "$root/tests/reliability/diskfull.py" --bin "$bin"
    reliability twoprocs python3 "$root/tests/reliability/twoprocs.py" --bin "$bin"
    # A one-minute soak (bench/soak.sh; the 30-minute run is in RELIABILITY.md) at a fixed low rate,
    # so that it never depends on the machine's speed: every write 201, every tile read served,
    # fsck passes, the log holds exactly the accepted entries, descriptors come back, clean stop.
    reliability soak env SOAK_SECONDS=60 CAPACITY=200 PORT_BASE=3930 WORK="$work/soak" bash "$root/bench/soak.sh" "$bin"
    # Interop with the published sigstore-js packages (tests/interop): signs through @sigstore/sign's
    # Rekor v2 path against the native binary and verifies with @sigstore/verify. Its PASS/FAIL
    # lines count into the totals; npm ci there also brings the Node 22 it needs.
    if ! command -v npm >/dev/null; then
        if [ "$(id -u)" = 0 ]; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
        else
            sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
        fi
    fi
    bash "$root/tests/interop/run.sh" "$bin" 2>&1 | tee "$work/interop.log"
    interop_rc=${PIPESTATUS[0]}
    interop_passed=$(grep -c '^PASS ' "$work/interop.log")
    interop_failed=$(grep -c '^FAIL ' "$work/interop.log")
    passed=$((passed + interop_passed))
    failed=$((failed + interop_failed))
    if [ "$interop_rc" != 0 ] && [ "$interop_failed" = 0 ]; then fail "interop run exited $interop_rc without a FAIL line"; fi
    # Operations (tests/ops): key permissions, freeze, the systemd unit's score, the Debian
    # package installed with dpkg -i, the linux-arm64 cross build smoke-run under qemu-user.
    bash "$root/tests/ops/run.sh" "$bin" 2>&1 | tee "$work/ops.log"
    ops_rc=${PIPESTATUS[0]}
    passed=$((passed + $(grep -c '^PASS ' "$work/ops.log")))
    failed=$((failed + $(grep -c '^FAIL ' "$work/ops.log")))
    if [ "$ops_rc" != 0 ] && ! grep -q '^FAIL ' "$work/ops.log"; then fail "ops run exited $ops_rc without a FAIL line"; fi
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
