#!/usr/bin/env bash
# Cross-builds the native linux-arm64 binaries (Raspberry Pi 3/4/5 with a 64-bit OS, AWS
# Graviton, Google Axion) on a Debian bookworm x64 machine:
#
#   packaging/arm64/build.sh OUTDIR [FLAVOUR... | all]   -> OUTDIR/rekor-server-<flavour> (+ .dbg)
#
# FLAVOUR is posix (the default), aws, gcpcloudsql or gcp; all builds the four, one after the
# other (each flavour restores and compiles in its own obj/, so they never disturb each other).
#
# Installs what the cross link needs when it is missing: clang (the AOT linker driver, which
# passes --target), gcc-aarch64-linux-gnu (binutils and the arm64 cross libc), qemu-user for
# running the result here, and through multiarch: for posix the arm64 SQLite static library
# (libsqlite3-dev:arm64, linked into the binary; the cloud flavours have no SQLite), for the cloud
# flavours the arm64 OpenSSL (libssl3:arm64), which they load at run time for TLS, so that they
# run under qemu-user here (without it the gcp binary aborts at start: "No usable version of
# libssl"). gcp needs nothing more to build: its Spanner gRPC client (Grpc.Net.Client) is managed
# code over .NET's own HTTP/2, with no native library of its own. No sysroot and no lld are needed.
set -euo pipefail
if [ $# -lt 1 ]; then
    echo "usage: $0 OUTDIR [posix | aws | gcpcloudsql | gcp | all]..." >&2
    exit 2
fi
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$1
shift
wanted=()
for flavour in "${@:-posix}"; do
    case $flavour in
        all) wanted+=(posix aws gcpcloudsql gcp) ;;
        posix | aws | gcpcloudsql | gcp) wanted+=("$flavour") ;;
        *) echo "$0: unknown flavour '$flavour' (posix, aws, gcpcloudsql, gcp or all)" >&2; exit 2 ;;
    esac
done

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need=()
command -v clang >/dev/null || need+=(clang)
command -v aarch64-linux-gnu-gcc >/dev/null || need+=(gcc-aarch64-linux-gnu)
command -v qemu-aarch64 >/dev/null || need+=(qemu-user)
if [[ " ${wanted[*]} " == *" posix "* ]]; then
    [ -f /usr/lib/aarch64-linux-gnu/libsqlite3.a ] || need+=(libsqlite3-dev:arm64)
fi
if [[ " ${wanted[*]} " == *" aws "* || " ${wanted[*]} " == *" gcpcloudsql "* || " ${wanted[*]} " == *" gcp "* ]]; then
    [ -e /usr/lib/aarch64-linux-gnu/libssl.so.3 ] || need+=(libssl3:arm64)
fi
if [ ${#need[@]} -gt 0 ]; then
    if [[ " ${need[*]} " == *":arm64 "* ]] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
        as_root dpkg --add-architecture arm64
    fi
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
for flavour in "${wanted[@]}"; do
    dotnet publish "$root/RekorPosix.csproj" -c Release -r linux-arm64 -p:Backend="$flavour" -o "$out"
    file "$out/rekor-server-$flavour" 2>/dev/null || true
done
