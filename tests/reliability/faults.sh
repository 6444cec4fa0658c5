#!/usr/bin/env bash
# Fault injection on every file syscall of the server with strace (see faults.py for what each
# run does and checks). Prints a PASS/FAIL line per run and a summary.
#   tests/reliability/faults.sh BIN                 a seeded sample (what CI runs)
#   tests/reliability/faults.sh BIN --full          the whole sweep (about 2,100 runs, 80 min on 2 cores)
#   tests/reliability/faults.sh BIN --only burst:fsync:eio:17 --keep    replay one run
# Without BIN (or with '-' for it) the native binary is published first.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:--}
[ $# -gt 0 ] && shift
if [ "$bin" = - ]; then
    out=$(mktemp -d /tmp/rekor-faults-bin.XXXXXX)
    dotnet publish "$here/../../RekorPosix.csproj" -c Release -r linux-x64 -o "$out" >/dev/null
    bin=$out/rekor-server-posix
fi
missing=()
command -v strace >/dev/null || missing+=(strace)
command -v openssl >/dev/null || missing+=(openssl)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
    sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
exec python3 "$here/faults.py" --bin "$bin" "$@"
