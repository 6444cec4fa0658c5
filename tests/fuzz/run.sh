#!/usr/bin/env bash
# The long fuzz run: FUZZ_INPUTS (default 300,000) inputs for each of the request JSON decoder,
# the request protobuf decoder (both followed by the validator), the tile-path grammar and the tile
# listener's request parser (with the read-route grammar), a fifth of that for each key-file
# target (PEM text and DER inside a PEM) and a quarter for the API port over a socket (api-request):
# 1.395 million inputs in all (FUZZ_INPUTS >= 215,054 keeps it at a million or more). FUZZ_SEED (default: the time) picks the mutations; findings land in
# FUZZ_CRASH_DIR (default ./fuzz-crashers) with a note of what went wrong. Ends "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
export FUZZ_INPUTS=${FUZZ_INPUTS:-300000}
export FUZZ_SEED=${FUZZ_SEED:-$(date +%s)}
export FUZZ_CRASH_DIR=${FUZZ_CRASH_DIR:-$(pwd)/fuzz-crashers}
echo "fuzz: seed $FUZZ_SEED, $FUZZ_INPUTS inputs per target (key files: $((FUZZ_INPUTS / 5))), findings to $FUZZ_CRASH_DIR"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet test tests/RekorPosix.Tests -c Release --filter "Category=Fuzz" --logger "console;verbosity=normal" >"$log" 2>&1
rc=$?
grep -E '^ *fuzz [a-z-]+: ' "$log" | sed 's/^ *//' | sort -u
total=$(grep -oE '^ *fuzz [a-z-]+: [0-9]+ inputs' "$log" | sort -u | awk '{s += $3} END {print s + 0}')
echo "inputs executed: $total"
passed=$(grep -cE '^ *Passed RekorPosix' "$log")
failed=$(grep -cE '^ *Failed RekorPosix' "$log")
[ "$rc" = 0 ] || [ "$failed" -gt 0 ] || { tail -n 30 "$log"; failed=1; }
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
