#!/usr/bin/env bash
# Faults of the aws flavour against the cloud rig (see faults.py for the scenarios and checks):
# starts a rig of its own (tests/cloud/rig.sh) in a new directory, runs the scenarios, stops it.
# Prints PASS/FAIL lines with figures.
#   tests/cloud/faults.sh BIN                     every scenario (about 1.5 minutes)
#   tests/cloud/faults.sh BIN --only two --keep   one scenario; keep the rig's data and server logs
# Without BIN (or with '-' for it) the aws binary is published first (-p:Backend=aws).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:--}
[ $# -gt 0 ] && shift
keep=0
for arg in "$@"; do [ "$arg" = --keep ] && keep=1; done
if [ "$bin" = - ]; then
    out=$(mktemp -d /tmp/rekor-cloud-faults-bin.XXXXXX)
    dotnet publish "$here/../../RekorPosix.csproj" -c Release -p:Backend=aws -o "$out" > "$out/publish.log" 2>&1 \
        || { echo "FAIL cloud faults: dotnet publish -p:Backend=aws failed: $(tail -n 5 "$out/publish.log" | tr '\n' ' ')"; exit 1; }
    bin=$out/rekor-server-aws
fi
[ -x "$bin" ] || { echo "FAIL cloud faults: $bin is not an executable"; exit 1; }
command -v python3 >/dev/null && command -v openssl >/dev/null || {
    sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 openssl >/dev/null
}
# shellcheck source=rig.sh
source "$here/rig.sh"
rig_install || { echo "FAIL cloud faults: the rig could not be installed"; exit 1; }
dir=$(mktemp -d /tmp/rekor-cloud-faults.XXXXXX)
rc=1
# The rig always stops; its data and the server logs stay when asked, or when a check failed.
cleanup() {
    rig_stop "$dir/rig" > /dev/null 2>&1
    if [ $keep = 1 ] || [ $rc != 0 ]; then echo "cloud faults: rig data and server logs kept in $dir"; else rm -rf "$dir"; fi
}
trap cleanup EXIT
rig_start "$dir/rig" > /dev/null || { echo "FAIL cloud faults: the rig did not start"; exit 1; }
python3 "$here/faults.py" --bin "$bin" --work "$dir/work" "$@"
rc=$?
exit $rc
