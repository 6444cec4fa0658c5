#!/usr/bin/env bash
# Cross-builds the native linux-arm64 binary (Raspberry Pi 3/4/5 with a 64-bit OS) on a Debian
# bookworm x64 machine:
#
#   packaging/arm64/build.sh OUTDIR      -> OUTDIR/rekor-server-posix (+ .dbg)
#
# Installs what the cross link needs when it is missing: clang (the AOT linker driver, which
# passes --target), gcc-aarch64-linux-gnu (binutils and the arm64 cross libc), the arm64 SQLite
# static library through multiarch (libsqlite3-dev:arm64, linked into the binary), and
# qemu-user for running the result here. No sysroot and no lld are needed.
set -euo pipefail
if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$1

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need=()
command -v clang >/dev/null || need+=(clang)
command -v aarch64-linux-gnu-gcc >/dev/null || need+=(gcc-aarch64-linux-gnu)
command -v qemu-aarch64 >/dev/null || need+=(qemu-user)
[ -f /usr/lib/aarch64-linux-gnu/libsqlite3.a ] || need+=(libsqlite3-dev:arm64)
if [ ${#need[@]} -gt 0 ]; then
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        as_root dpkg --add-architecture arm64
    fi
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet publish "$root/RekorPosix.csproj" -c Release -r linux-arm64 -o "$out"
file "$out/rekor-server-posix" 2>/dev/null || true
