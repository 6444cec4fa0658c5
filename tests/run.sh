#!/usr/bin/env bash
# Runs every test of RekorPosix on a fresh Debian bookworm machine with the .NET 10 SDK:
# installs what the tests need, runs the xunit suite, publishes the native AOT binary and checks
# it (one file, zero IL/AOT warnings, only libc/libm and the loader needed, real commands against
# a real log, the crash test against the native binary), then the groups of checks (reliability,
# interop, operations, the cloud rig). Ends with "N passed, M failed".
#
# The run cannot look green while a part of it did nothing: the xunit run must complete with every
# discovered test executed and at least XUNIT_MIN_TESTS of them, and every group of checks declares
# how many PASS/FAIL lines it must produce (group below). ONLY=xunit,binary,... runs a subset of the
# sections (xunit binary readpath crash bench reliability interop ops cloud) for a developer; such a run
# says so in its last line and fails under CI=true. XUNIT_FILTER passes a --filter to dotnet test.
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
# The least number of xunit tests a complete run executes; raise it as tests are added, so that a
# discovery failure or a filter that lost a class cannot pass.
XUNIT_MIN_TESTS=2760
all_sections=xunit,binary,readpath,crash,bench,reliability,interop,ops,cloud
sections=${ONLY:-$all_sections}
want() { [[ ",$sections," == *",$1,"* ]]; }
for section in ${sections//,/ }; do
    [[ ",$all_sections," == *",$section,"* ]] || { echo "tests/run.sh: ONLY=$sections: unknown section '$section'" >&2; exit 2; }
done
# group NAME MIN COMMAND...: runs a group of checks that prints one PASS/FAIL line per check and
# counts them into the totals. The group fails when it exited non-zero without a FAIL line, or
# printed fewer than MIN checks (it stopped early, or skipped what it should have done). A SKIP
# line is a dependency the group could not install: outside CI it lifts the minimum, with a note;
# under CI=true the groups themselves turn it into a FAIL.
group() {
    local name=$1 min=$2 rc n_pass n_fail n_skip
    shift 2
    "$@" > "$work/$name.log" 2>&1
    rc=$?
    cat "$work/$name.log"
    n_pass=$(grep -c '^PASS ' "$work/$name.log")
    n_fail=$(grep -c '^FAIL ' "$work/$name.log")
    n_skip=$(grep -c '^SKIP ' "$work/$name.log")
    passed=$((passed + n_pass))
    failed=$((failed + n_fail))
    if [ "$rc" != 0 ] && [ "$n_fail" = 0 ]; then fail "$name exited $rc without a FAIL line"; fi
    if [ "$n_skip" != 0 ] && [ "${CI:-}" != true ]; then
        echo "NOTE $name skipped for a missing dependency: not a complete run"
    elif [ $((n_pass + n_fail)) -lt "$min" ]; then
        fail "$name: $((n_pass + n_fail)) checks ran, fewer than the $min it must produce"
    fi
}
# at_least NAME PREFIX MIN: within group NAME's log, the checks named PREFIX* number at least MIN.
at_least() {
    local n
    n=$(grep -cE "^(PASS|FAIL) $2" "$work/$1.log")
    if [ "$n" -lt "$3" ]; then fail "$1: $n checks named '$2', fewer than the $3 it must produce"; fi
}

# rig_xunit NAME RIG TEST_PROJECT MIN_TESTS: start the rig script's services, run the xunit project
# with the rig's exports, stop the rig, and count the run as the main suite is counted.
rig_xunit() {
    local name=$1 rig=$2 project=$3 min=$4 r_passed r_failed
    if ! bash "$rig" start "$work/$name-rig" > "$work/$name-rig.out" 2>&1; then
        fail "$name: the rig did not start ($(tail -n 3 "$work/$name-rig.out" | tr '\n' ' '))"
        return
    fi
    (
        eval "$(grep '^export' "$work/$name-rig.out")"
        # The project references the server built for one flavour, whose obj/<flavour> is restored
        # only by a restore with that Backend (a test run restores the default one).
        backend=$(sed -n 's/.*AdditionalProperties="Backend=\([a-z]*\)".*/\1/p' "$project"/*.csproj)
        dotnet restore "$root/RekorPosix.csproj" -p:Backend="$backend" > "$work/$name-restore.log" 2>&1
        dotnet test "$project" -c Release --logger "trx;LogFileName=$work/$name.trx" > "$work/$name-test.log" 2>&1
        echo $? > "$work/$name-test.rc"
    )
    bash "$rig" stop "$work/$name-rig" > /dev/null 2>&1
    bash tests/xunit-summary.sh "$work/$name.trx" "$(cat "$work/$name-test.rc")" "$min" > "$work/$name-summary.txt"
    sed "s/^xunit:/$name xunit:/" "$work/$name-summary.txt"
    read -r r_passed r_failed < <(sed -n 's/^xunit: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' "$work/$name-summary.txt")
    passed=$((passed + ${r_passed:-0}))
    failed=$((failed + ${r_failed:-0} + $(grep -c '^FAIL ' "$work/$name-summary.txt")))
}

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
# bench/monitor.sh measures with GNU time.
[ -x /usr/bin/time ] || need+=(time)
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
if want xunit; then
    dotnet test tests/RekorPosix.Tests -c Release ${XUNIT_FILTER:+--filter "$XUNIT_FILTER"} \
        --logger "console;verbosity=normal" --logger "trx;LogFileName=$work/results.trx" 2>&1 | tee "$work/test.log"
    bash tests/xunit-summary.sh "$work/results.trx" "${PIPESTATUS[0]}" "$XUNIT_MIN_TESTS" > "$work/xunit-summary.txt"
    cat "$work/xunit-summary.txt"
    # Every test counts once; the summary's own FAIL lines say why the run as a whole is not sound.
    read -r t_passed t_failed < <(sed -n 's/^xunit: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' "$work/xunit-summary.txt")
    passed=$((passed + ${t_passed:-0}))
    failed=$((failed + ${t_failed:-0} + $(grep -c '^FAIL ' "$work/xunit-summary.txt")))
fi

# ---- native AOT binary ----------------------------------------------------------------------
# only_needs BIN LIB...: ldd ran, found every library, and names nothing but LIB... (matched as
# the start of each library's file name) besides the vDSO.
only_needs() {
    local bin=$1 out lib name ok=0
    shift
    out=$(ldd "$bin" 2>&1) || { echo "ldd failed: $out"; return 1; }
    [ -n "$out" ] || { echo "ldd printed nothing"; return 1; }
    while read -r lib _; do
        name=$(basename "$lib")
        [[ $name == linux-vdso.so.* ]] && continue
        local allowed=""
        for want in "$@"; do [[ $name == "$want".* ]] && allowed=1; done
        [ -n "$allowed" ] || { echo "  needs $lib (not one of: $*)"; ok=1; }
    done <<<"$out"
    if grep -q 'not found' <<<"$out"; then echo "  a library is not found: $out"; ok=1; fi
    return $ok
}
# no_line FILE REGEX: FILE exists and is not empty, and no line of it matches REGEX (a "! grep"
# on a missing or empty file would pass without having looked at anything).
no_line() {
    [ -s "$1" ] || { echo "  $1 is missing or empty"; return 1; }
    ! grep -qE "$2" "$1"
}
bin="$work/out/rekor-server-posix"
# The sections that run the posix binary: xunit and cloud do without it.
needs_bin() { local s; for s in binary readpath crash bench reliability interop ops; do want "$s" && return 0; done; return 1; }
if needs_bin; then
    # The plainest form (no -r: the SDK infers this machine's RID); the arm64 build in tests/ops gives -r.
    dotnet publish RekorPosix.csproj -c Release -o "$work/out" 2>&1 | tee "$work/publish.log"
    publish_rc=${PIPESTATUS[0]}
    check "publish exited 0 and produced out/rekor-server-posix" bash -c "[ $publish_rc = 0 ] && [ -x '$bin' ]"
    # The log must show the publish got to its output, or an empty log would have "no warnings".
    publish_clean() { grep -q 'RekorPosix -> ' "$1" && no_line "$1" 'warning (IL|AOT)[0-9]+'; }
    check "publish had zero IL/AOT warnings" publish_clean "$work/publish.log"
    check "publish output is one executable (plus .dbg)" bash -c "[ \"\$(ls '$work/out' | grep -v '\.dbg$')\" = rekor-server-posix ]"
    check "binary needs only libc, libm and the loader (ldd)" only_needs "$bin" libc.so libm.so ld-linux-x86-64.so
    ls -l "$bin"
fi

if [ -x "$bin" ]; then
    cd "$work"
    # A log key for every section below.
    "$bin" keygen --output key.pem --hostname example.test/log > keygen.txt || fail "keygen exited $? ($(cat keygen.txt))"
    vkey=$(sed -n 's/^Verifier key: //p' keygen.txt)
fi
if [ -x "$bin" ] && want binary; then
    check "serve --help is grouped" bash -c "'$bin' serve --help | grep -q '^Listeners:'"
    check "bash completion suggests flags" bash -c \
        "source '$root/packaging/completion/rekor-server-posix.bash'; COMP_LINE='rekor-server-posix serve --http-p'; COMP_POINT=\${#COMP_LINE}; COMP_WORDS=('$bin' serve --http-p); COMP_CWORD=2; _rekor_server_posix; [ \"\${COMPREPLY[*]}\" = --http-port ]"
    check "version runs" bash -c "'$bin' version | grep -q 'native AOT'"
    # The cloud flavours: each its own one-file native binary that links only its own SDKs.
    for flavour in aws gcpcloudsql gcp; do
        dotnet publish "$root/RekorPosix.csproj" -c Release -p:Backend=$flavour -o "$work/out-$flavour" > "$work/publish-$flavour.log" 2>&1
        flavour_rc=$?
        check "publish -p:Backend=$flavour: exit 0, one executable rekor-server-$flavour, zero IL/AOT warnings" bash -c \
            "[ $flavour_rc = 0 ] && [ \"\$(ls '$work/out-$flavour' | grep -v '\.dbg$')\" = rekor-server-$flavour ] && grep -q 'RekorPosix -> ' '$work/publish-$flavour.log' && ! grep -qE 'warning (IL|AOT)[0-9]+' '$work/publish-$flavour.log'"
        check "rekor-server-$flavour links no SQLite (posix's antispam index)" bash -c "! grep -a -q 'SQLite format 3' '$work/out-$flavour/rekor-server-$flavour'"
        check "rekor-server-$flavour version names its flavour" bash -c "'$work/out-$flavour/rekor-server-$flavour' version | grep -q '^rekor-server-$flavour '"
    done
    check "the posix binary carries no MySQL, AWS or Spanner code" bash -c "! grep -a -q -e MySqlConnector -e AmazonS3 -e SpannerConnection '$bin'"
    # gcp links AWSSDK.S3 (GCS by HMAC keys) but no MySQL; aws and gcpcloudsql no Spanner client.
    check "rekor-server-gcp carries no MySQL code" bash -c "! grep -a -q MySqlConnector '$work/out-gcp/rekor-server-gcp'"
    check "rekor-server-aws and -gcpcloudsql carry no Spanner code" bash -c "! grep -a -q SpannerConnection '$work/out-aws/rekor-server-aws' '$work/out-gcpcloudsql/rekor-server-gcpcloudsql'"
    # A flavour without a driver folder is refused by name, before restore or compile.
    check "-p:Backend=nosuch is refused with the flavours that exist" bash -c \
        "cd '$root' && dotnet build RekorPosix.csproj -c Release -p:Backend=nosuch > '$work/backend.txt' 2>&1; [ \$? != 0 ] && grep -q 'Backend=nosuch: no storage driver has that name. Flavours with a driver: posix' '$work/backend.txt'"
    check "keygen writes a 0600 key and prints its identity" bash -c \
        "[ \"\$(stat -c %a key.pem)\" = 600 ] && grep -q '^Verifier key: example.test/log+' keygen.txt && grep -q 'BEGIN PUBLIC KEY' keygen.txt"
    cp key.pem key.pem.before
    check "keygen refuses to overwrite (exit 1, key unchanged, names the file)" bash -c \
        "'$bin' keygen --output key.pem --hostname example.test/log > /dev/null 2> keygen-again.txt; [ \$? = 1 ] && cmp -s key.pem key.pem.before && grep -q key.pem keygen-again.txt"
    for i in $(seq 1 700); do echo "entry $i"; done > entries.txt
    check "add appends 700 entries (exit 0, 700 index lines)" bash -c "set -o pipefail; '$bin' add --storage-dir log --signer-filepath key.pem --hostname example.test/log --stdin-lines < entries.txt | wc -l | grep -qx 700"
    check "fsck passes on the log just written" "$bin" fsck --storage-dir log --vkey "$vkey"
    check "fsck passes on the tessera log" "$bin" fsck --storage-dir "$root/tests/testdata/tessera-log" --vkey "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx"
    check "fsck passes on the x/mod log" "$bin" fsck --storage-dir "$root/tests/testdata/xmod-log/log" --vkey "$(cat "$root/tests/testdata/xmod-log/vkey")"
    cp -r "$root/tests/testdata/xmod-log/log" damaged && chmod -R u+w damaged
    printf '\x01' | dd of=damaged/tile/0/100 bs=1 seek=77 conv=notrunc status=none
    check "fsck fails on a damaged log (exit 1) and names the file" bash -c \
        "'$bin' fsck --storage-dir damaged --vkey '$(cat "$root/tests/testdata/xmod-log/vkey")' 2> fsck.err; [ \$? = 1 ] && grep -q 'tile/0/100' fsck.err"
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
    promtool_rc=$? # 0: clean, 3: lint findings (listed), anything else: promtool could not check
    check "promtool check metrics finds nothing but the rekor-tiles counter name" bash -c \
        "[ -s metrics.txt ] && { [ $promtool_rc = 0 ] || [ $promtool_rc = 3 ]; } && ! grep -v 'rekor_v2_new_hashedrekord_entries counter metrics should have \"_total\" suffix' promtool.txt | grep -q ."
    cat promtool.txt
    check "serve keeps its dedup index in .state/antispam.db" test -s rekor-data/log/.state/antispam.db
    check "SQLite is linked into the binary" grep -a -q 'SQLite format 3' "$bin"
    check "serve generated a 0600 key outside the log" bash -c "[ \"\$(stat -c %a rekor-data/signer.pem)\" = 600 ] && [ -f rekor-data/log/checkpoint ]"
    kill -TERM $pid; wait $pid
    check "serve exits 0 on SIGTERM" test $? = 0
    cd "$work"
fi
if [ -x "$bin" ] && want readpath; then
    # ---- read path: the tile listener against the real nginx with the packaged site --------------
    # A log of 700 entries written in 7 runs of add, so that partial tiles and bundles of many
    # widths exist beside the full ones; every public file is fetched through both and compared
    # with the file on disk, byte for byte, with the headers that matter.
    mkdir -p readlog-input
    add_failures=0
    for run in $(seq 0 6); do
        for i in $(seq $((run * 100)) $((run * 100 + 99))); do printf 'entry %d %0*d\n' "$i" $((i % 300 + 1)) 0; done > "readlog-input/$run.txt"
        "$bin" add --storage-dir readlog --signer-filepath key.pem --hostname example.test/log --stdin-lines < "readlog-input/$run.txt" > /dev/null 2>> add.log \
            || { add_failures=$((add_failures + 1)); echo "  add run $run exited $?"; }
    done
    check "add wrote a 700-entry log in 7 runs, each exiting 0" bash -c "[ $add_failures = 0 ] && [ \"\$(sed -n 2p readlog/checkpoint)\" = 700 ]"
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
fi
if [ -x "$bin" ] && want crash; then
    cd "$root"
    # The crash test again, now killing the native binary; judged like the whole suite, so that a
    # filter that matched nothing cannot pass. The test itself refuses a CRASH_ROUNDS that kills nothing.
    REKOR_SERVER_BINARY="$bin" CRASH_ROUNDS="${CRASH_ROUNDS:-20}" dotnet test tests/RekorPosix.Tests -c Release \
        --filter "FullyQualifiedName~CrashSafetyTests.SigkillAtRandomMoments" --logger "trx;LogFileName=$work/crash.trx" > "$work/crash.log" 2>&1
    crash_rc=$?
    grep -E 'rounds|Passed!|Failed!|at least 1' "$work/crash.log" || tail -n 40 "$work/crash.log"
    check "crash test against the native binary" bash tests/xunit-summary.sh "$work/crash.trx" "$crash_rc" 1
fi
if [ -x "$bin" ] && want bench; then
    cd "$root"
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
        # Smoke of the monitor's catch-up benchmark (bench/monitor.sh) on 3,000 entries: every
        # watched entry found, from the directory and over HTTP; never how fast.
        COUNT=3000 BIN="$bin" bash bench/monitor.sh "$work/monitor-bench" > "$work/monitor-bench.txt" 2>&1
        cat "$work/monitor-bench.txt"
        check "bench smoke: monitor catches up on 3,000 entries, from the directory and over HTTP, every match reported" bash -c \
            "grep -qx 'directory: 47 matches reported (47 expected)' '$work/monitor-bench.txt' && grep -qx 'http: 47 matches reported (47 expected)' '$work/monitor-bench.txt'"
        # Smoke of the search index's benchmark (bench/search-index.sh) on 3,000 entries: the
        # catch-up finds every match, and writes are accepted with --search-index off and on; never how fast.
        COUNT=3000 WRITES=300 CLIENTS=50 ROUNDS=1 BIN="$bin" bash bench/search-index.sh "$work/search-bench" > "$work/search-bench.txt" 2>&1
        cat "$work/search-bench.txt"
        check "bench smoke: search catches up on 3,000 entries, every match found; 300 writes accepted with the search index off and on" bash -c \
            "grep -qx 'search: 47 matches (47 expected)' '$work/search-bench.txt' && grep -q '^round 1, search index off: accepted: 300/300 ' '$work/search-bench.txt' && grep -q '^round 1, search index on: accepted: 300/300 ' '$work/search-bench.txt'"
    else
        tail -n 20 "$work/bench-build.log"
        fail "bench smoke: rekor-bench builds"
    fi
    cd "$root"
fi
# ---- groups of checks: each declares the least number of checks it must produce ---------------
if [ -x "$bin" ] && want reliability; then
    # Reliability (tests/reliability, see RELIABILITY.md): a seeded sample of the strace fault
    # sweep (all of it: tests/reliability/faults.sh BIN --full), a disk filling up under load,
    # several processes on one directory, a witnessed log with its witnesses as processes (killed,
    # stopped, restarted), a short soak, and hostile clients.
    fault_sample=${FAULT_SAMPLE:-40}
    group faults "$fault_sample" bash "$root/tests/reliability/faults.sh" "$bin" --sample "$fault_sample"
    group diskfull 1 python3 "$root/tests/reliability/diskfull.py" --bin "$bin"
    group twoprocs 5 python3 "$root/tests/reliability/twoprocs.py" --bin "$bin"
    group witnessing 5 python3 "$root/tests/reliability/witnessing.py" --bin "$bin"
    # A one-minute soak (bench/soak.sh; the 30-minute run is in RELIABILITY.md) at a fixed low rate,
    # so that it never depends on the machine's speed: every write 201, every tile read served,
    # fsck passes, the log holds exactly the accepted entries, descriptors come back, clean stop,
    # RSS does not keep growing (a gross leak only, in a minute) and that rule's self-test.
    group soak 9 env SOAK_SECONDS=60 CAPACITY=200 PORT_BASE=3930 WORK="$work/soak" bash "$root/bench/soak.sh" "$bin"
    # Hostile clients in their short form (bench/hostile.sh; the full form's figures are in
    # RELIABILITY.md): the same 20 attacks with small counts, each a check that the server answered
    # 4xx/GOAWAY/close, stayed up, gave its descriptors back and logged a few lines at most; then
    # fsck, the log size and a clean SIGTERM. 2 + 20 + 6 checks.
    group hostile 28 env SHORT=1 PORT_BASE=3950 WORK="$work/hostile" bash "$root/bench/hostile.sh" "$bin"
fi
if [ -x "$bin" ] && want interop; then
    # Interop with the published sigstore-js packages (tests/interop): signs through @sigstore/sign's
    # Rekor v2 path against the native binary and verifies with @sigstore/verify; npm ci there
    # also brings the Node 22 it needs. It fails under CI=true when a dependency was missing.
    if ! command -v npm >/dev/null; then
        if [ "$(id -u)" = 0 ]; then
            apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
        else
            sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
        fi
    fi
    # First the harness against its mock log and a server without the write API: it must fail
    # where it should; then the real thing.
    group interop-selftest 15 bash "$root/tests/interop/run.sh" --self-test
    group interop 45 bash "$root/tests/interop/run.sh" "$bin"
    at_least interop "tamper/" 15
    at_least interop "interop/verify-bundle" 2
    at_least interop "duplicate/returns-entry" 2
    at_least interop "(proofs|history|search)/" 6
fi
if [ -x "$bin" ] && want ops; then
    # Operations (tests/ops): key permissions, freeze, the systemd unit's score, the Debian
    # package installed with dpkg -i, the cloud packages and units, the local rig's printed
    # command run for real, the linux-arm64 cross builds smoke-run under qemu-user. The cloud
    # binaries the binary section published are passed on, so that ops does not publish them again.
    ops_cloud=()
    if [ -x "$work/out-aws/rekor-server-aws" ] && [ -x "$work/out-gcpcloudsql/rekor-server-gcpcloudsql" ] && [ -x "$work/out-gcp/rekor-server-gcp" ]; then
        ops_cloud=("$work/out-aws/rekor-server-aws" "$work/out-gcpcloudsql/rekor-server-gcpcloudsql" "$work/out-gcp/rekor-server-gcp")
    fi
    group ops 85 bash "$root/tests/ops/run.sh" "$bin" "${ops_cloud[@]}"
    at_least ops "keys/" 3
    at_least ops "readme/" 6
    at_least ops "freeze/" 10
    at_least ops "systemd/" 2
    at_least ops "deb/" 12
    at_least ops "cloud/" 31
    at_least ops "localrig/" 7
    at_least ops "arm64/" 12
fi
if want cloud; then
    # The cloud rig (tests/cloud/rig.sh): a private MariaDB and an s3rver on loopback, the stand-ins
    # the aws flavour is tested against, checked on their own: accounts, isolation, S3 round trip,
    # SIGKILL and restart with the data kept, nothing left running. It installs what it needs.
    group cloud-rig 16 bash "$root/tests/cloud/rig-selftest.sh"
    # The aws driver and its antispam against that rig: the driver contract suite (the posix
    # tests' own file) and the MySQL-specific tests, judged like the main suite.
    rig_xunit cloud "$root/tests/cloud/rig.sh" "$root/tests/RekorPosix.Cloud.Tests" "${CLOUD_MIN_TESTS:-60}"
    # The gcp flavour's driver and Spanner client (#19) against Google's Spanner emulator
    # (tests/gcp/emulator.sh: the installed emulator on free loopback ports, its own processes).
    rig_xunit gcp "$root/tests/gcp/emulator.sh" "$root/tests/RekorPosix.Gcp.Tests" "${GCP_MIN_TESTS:-250}"
    # The write-API suite (tests/interop: sigstore-js signing and verifying, the raw API cases,
    # tampered bundles) against each cloud binary, each on a rig of its own; the stored log is
    # read back through the server's read routes, which serve it from the bucket. gcp's rig is the
    # Spanner emulator and s3rver as its bucket (the GCS XML API with HMAC keys); it has no search
    # index, so its opt-ins run leaves search out.
    for flavour in aws gcpcloudsql gcp; do
        flavour_bin="$work/out-$flavour/rekor-server-$flavour"
        [ -x "$flavour_bin" ] || dotnet publish "$root/RekorPosix.csproj" -c Release -p:Backend=$flavour -o "$work/out-$flavour" > "$work/publish-$flavour.log" 2>&1
        group "interop-$flavour" 45 bash "$root/tests/interop/run.sh" "$flavour_bin"
        at_least "interop-$flavour" "tamper/" 15
        at_least "interop-$flavour" "interop/verify-bundle" 2
        at_least "interop-$flavour" "duplicate/returns-entry" 2
        # gcp: the two search checks are left out and by-leaf-hash is checked refused instead.
        if [ "$flavour" = gcp ]; then at_least "interop-$flavour" "(proofs|history)/" 4; else at_least "interop-$flavour" "(proofs|history|search)/" 6; fi
    done
    # gcp again with its bucket on the JSON API path that production uses (ADC aside): our fake of
    # GCS's JSON API (tests/gcp/fake_gcs.py) through STORAGE_EMULATOR_HOST, create-only uploads
    # enforced by it (412), which s3rver does not do.
    group interop-gcp-json 45 env GCP_STORAGE=json bash "$root/tests/interop/run.sh" "$work/out-gcp/rekor-server-gcp"
    at_least interop-gcp-json "tamper/" 15
    at_least interop-gcp-json "(proofs|history)/" 4
    # Faults of the aws flavour under write load on a rig of its own (tests/cloud/faults.py): kill -9
    # of the server (5 rounds), MariaDB SIGKILLed and s3rver stopped mid-load, two servers at once
    # with one stopped under load; 12 PASS/FAIL lines with figures, about 1.5 minutes. It runs the
    # aws binary published above (by the binary section, or by the loop when that did not run).
    aws_bin="$work/out-aws/rekor-server-aws"
    if [ -x "$aws_bin" ]; then
        group cloud-faults 13 bash "$root/tests/cloud/faults.sh" "$aws_bin"
    else
        fail "cloud faults: no aws binary to run (publish -p:Backend=aws: $(tail -n 3 "$work/publish-aws.log" | tr '\n' ' '))"
    fi
    # The same for the gcp flavour (tests/cloud/faults.sh with the gcp binary: the Spanner emulator and s3rver of its own):
    # kill -9 (5 rounds), the emulator cut off behind a proxy and stalled (SIGSTOP), s3rver stopped,
    # two servers at once, and last the emulator restarted for real (it comes back empty: nothing
    # acknowledged after, the bucket's checkpoint kept, a restart on the emptied database refused);
    # 14 PASS/FAIL lines, about 2 minutes.
    gcp_bin="$work/out-gcp/rekor-server-gcp"
    if [ -x "$gcp_bin" ]; then
        group gcp-faults 14 bash "$root/tests/cloud/faults.sh" "$gcp_bin"
        # kill -9 and two servers again with the bucket on the JSON API path (tests/gcp/fake_gcs.py,
        # which enforces create-only uploads: a re-integration after a kill meets its 412s).
        group gcp-faults-json 10 env GCP_STORAGE=json bash "$root/tests/cloud/faults.sh" "$gcp_bin"
    else
        fail "gcp faults: no gcp binary to run (publish -p:Backend=gcp: $(tail -n 3 "$work/publish-gcp.log" | tr '\n' ' '))"
    fi
fi

if [ "$sections" != "$all_sections" ]; then
    echo "partial run: only $sections"
    if [ "${CI:-}" = true ]; then fail "ONLY=$sections under CI=true: CI runs every section"; fi
fi
[ $((passed + failed)) -gt 0 ] || fail "no check ran at all"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
