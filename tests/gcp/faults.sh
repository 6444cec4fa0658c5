#!/usr/bin/env bash
# Faults of the gcp flavour under write load (tests/cloud/faults.py --flavour gcp: kill -9, the
# Spanner emulator cut off, stalled and reset, s3rver stopped, two servers at once), on a rig of
# its own in a new directory: the Spanner emulator (tests/gcp/emulator.sh) and s3rver alone
# (tests/cloud/rig.sh) as the bucket, reached by the GCS_HMAC_* XML path. Prints PASS/FAIL lines.
#   tests/gcp/faults.sh BIN                     every scenario (about 2.5 minutes)
#   tests/gcp/faults.sh BIN --only two --keep   one scenario; keep the rig's data and server logs
#   GCP_STORAGE=json tests/gcp/faults.sh BIN    the bucket on tests/gcp/fake_gcs.py (the JSON API
#                                               path): kill -9 and two only
# Without BIN (or with '-' for it) the gcp binary is published first (-p:Backend=gcp).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:--}
[ $# -gt 0 ] && shift
keep=0
for arg in "$@"; do [ "$arg" = --keep ] && keep=1; done
if [ "$bin" = - ]; then
    out=$(mktemp -d /tmp/rekor-gcp-faults-bin.XXXXXX)
    dotnet publish "$here/../../RekorPosix.csproj" -c Release -p:Backend=gcp -o "$out" > "$out/publish.log" 2>&1 \
        || { echo "FAIL gcp faults: dotnet publish -p:Backend=gcp failed: $(tail -n 5 "$out/publish.log" | tr '\n' ' ')"; exit 1; }
    bin=$out/rekor-server-gcp
fi
[ -x "$bin" ] || { echo "FAIL gcp faults: $bin is not an executable"; exit 1; }
command -v python3 >/dev/null && command -v openssl >/dev/null || {
    sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 openssl >/dev/null
}
# shellcheck source=emulator.sh
source "$here/emulator.sh"
rig_install > /dev/null || { echo "FAIL gcp faults: the rig (s3rver) could not be installed"; exit 1; }
dir=$(mktemp -d /tmp/rekor-gcp-faults.XXXXXX)
rc=1
# The rig always stops; its data and the server logs stay when asked, or when a check failed.
cleanup() {
    gcp_stop "$dir/spanner" > /dev/null 2>&1
    rig_stop "$dir/rig" > /dev/null 2>&1
    if [ $keep = 1 ] || [ $rc != 0 ]; then echo "gcp faults: rig data and server logs kept in $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
gcp_start "$dir/spanner" > /dev/null || { echo "FAIL gcp faults: the Spanner emulator did not start: $(tail -n 3 "$dir/spanner/emulator.log" 2>/dev/null | tr '\n' ' ')"; exit 1; }
if [ "${GCP_STORAGE:-xml}" = json ]; then
    # The JSON API path: our fake GCS (in memory, so it cannot be restarted: no s3rver scenario).
    mkdir -p "$dir/rig"
    python3 "$here/fake_gcs.py" --bucket rekor-tiles --port-file "$dir/rig/port" > "$dir/rig/fake-gcs.log" 2>&1 &
    fake=$!
    trap 'kill -TERM $fake 2>/dev/null; cleanup' EXIT
    for _ in $(seq 100); do [ -s "$dir/rig/port" ] && break; sleep 0.1; done
    [ -s "$dir/rig/port" ] || { echo "FAIL gcp faults: tests/gcp/fake_gcs.py did not start"; exit 1; }
    export RIG_DIR=$dir/rig RIG_S3_BUCKET=rekor-tiles RIG_S3_PORT=$(cat "$dir/rig/port")
    export STORAGE_EMULATOR_HOST=127.0.0.1:$RIG_S3_PORT
    set -- --only kill9,two "$@"
else
    rig_start_s3_only "$dir/rig" > /dev/null || { echo "FAIL gcp faults: s3rver did not start"; exit 1; }
    export GCS_HMAC_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID GCS_HMAC_SECRET=$AWS_SECRET_ACCESS_KEY GCS_REGION=$AWS_REGION GCS_ENDPOINT_URL=$AWS_ENDPOINT_URL
fi
python3 "$here/../cloud/faults.py" --flavour gcp --bin "$bin" --work "$dir/work" "$@"
rc=$?
exit $rc
