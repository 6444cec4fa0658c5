#!/usr/bin/env bash
# Faults of a cloud flavour against a rig of its own, started in a new directory (see faults.py for
# the scenarios and checks); the rig always stops. Prints PASS/FAIL lines with figures.
#   tests/cloud/faults.sh BIN                     every scenario of BIN's flavour, by its name:
#                                                 rekor-server-aws on MariaDB + s3rver (tests/cloud/rig.sh,
#                                                 about 1.5 minutes); rekor-server-gcp on the Spanner emulator
#                                                 (tests/gcp/emulator.sh) and s3rver as its bucket through the
#                                                 GCS_HMAC_* XML path (about 2.5 minutes)
#   tests/cloud/faults.sh BIN --only two --keep   one scenario; keep the rig's data and server logs
#   GCP_STORAGE=json tests/cloud/faults.sh BIN    gcp with its bucket on tests/gcp/fake_gcs.py (the JSON
#                                                 API path, STORAGE_EMULATOR_HOST): kill -9 and two only
# Without BIN (or with '-' for it) the binary of FLAVOUR (aws, the default, or gcp) is published first.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:--}
[ $# -gt 0 ] && shift
keep=0
for arg in "$@"; do [ "$arg" = --keep ] && keep=1; done
if [ "$bin" = - ]; then
    out=$(mktemp -d /tmp/rekor-cloud-faults-bin.XXXXXX)
    dotnet publish "$here/../../RekorPosix.csproj" -c Release -p:Backend="${FLAVOUR:-aws}" -o "$out" > "$out/publish.log" 2>&1 \
        || { echo "FAIL cloud faults: dotnet publish -p:Backend=${FLAVOUR:-aws} failed: $(tail -n 5 "$out/publish.log" | tr '\n' ' ')"; exit 1; }
    bin=$out/rekor-server-${FLAVOUR:-aws}
fi
[ -x "$bin" ] || { echo "FAIL cloud faults: $bin is not an executable"; exit 1; }
case "${bin##*/}" in
    rekor-server-aws) flavour=aws ;;
    rekor-server-gcp) flavour=gcp ;;
    *) echo "FAIL cloud faults: ${bin##*/} is neither rekor-server-aws nor rekor-server-gcp"; exit 1 ;;
esac
command -v python3 >/dev/null && command -v openssl >/dev/null || {
    sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 openssl >/dev/null
}
# shellcheck source=../gcp/emulator.sh
source "$here/../gcp/emulator.sh" # and rig.sh, which it sources
rig_install > /dev/null || { echo "FAIL $flavour faults: the rig could not be installed"; exit 1; }
dir=$(mktemp -d /tmp/rekor-$flavour-faults.XXXXXX)
rc=1
fake=
# The rig always stops; its data and the server logs stay when asked, or when a check failed.
cleanup() {
    [ -z "$fake" ] || kill -TERM "$fake" 2>/dev/null
    gcp_stop "$dir/spanner" > /dev/null 2>&1
    rig_stop "$dir/rig" > /dev/null 2>&1
    if [ $keep = 1 ] || [ $rc != 0 ]; then echo "$flavour faults: rig data and server logs kept in $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT

# The gcp flavour's rig: the emulator, and its bucket on s3rver (HMAC keys) or on our fake JSON API
# (in memory, so it cannot be restarted: no s3rver scenario then).
start_gcp_rig() {
    gcp_start "$dir/spanner" > /dev/null || { echo "FAIL gcp faults: the Spanner emulator did not start: $(tail -n 3 "$dir/spanner/emulator.log" 2>/dev/null | tr '\n' ' ')"; return 1; }
    if [ "${GCP_STORAGE:-xml}" = json ]; then
        mkdir -p "$dir/rig"
        python3 "$here/../gcp/fake_gcs.py" --bucket rekor-tiles --port-file "$dir/rig/port" > "$dir/rig/fake-gcs.log" 2>&1 &
        fake=$!
        for _ in $(seq 100); do [ -s "$dir/rig/port" ] && break; sleep 0.1; done
        [ -s "$dir/rig/port" ] || { echo "FAIL gcp faults: tests/gcp/fake_gcs.py did not start"; return 1; }
        export RIG_DIR=$dir/rig RIG_S3_BUCKET=rekor-tiles RIG_S3_PORT=$(cat "$dir/rig/port")
        export STORAGE_EMULATOR_HOST=127.0.0.1:$RIG_S3_PORT
    else
        rig_start_s3_only "$dir/rig" > /dev/null || { echo "FAIL gcp faults: s3rver did not start"; return 1; }
        export GCS_HMAC_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID GCS_HMAC_SECRET=$AWS_SECRET_ACCESS_KEY GCS_REGION=$AWS_REGION GCS_ENDPOINT_URL=$AWS_ENDPOINT_URL
    fi
}

if [ "$flavour" = aws ]; then
    rig_start "$dir/rig" > /dev/null || { echo "FAIL cloud faults: the rig did not start"; exit 1; }
else
    start_gcp_rig || exit 1
    [ "${GCP_STORAGE:-xml}" = json ] && set -- --only kill9,two "$@"
fi
python3 "$here/faults.py" --flavour "$flavour" --bin "$bin" --work "$dir/work" "$@"
rc=$?
exit $rc
