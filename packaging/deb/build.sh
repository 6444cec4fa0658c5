#!/usr/bin/env bash
# Builds the Debian package of RekorPosix with plain dpkg-deb (no debhelper, no fakeroot):
#
#   packaging/deb/build.sh OUTDIR [BINARY]   -> OUTDIR/rekor-posix_<version>_<arch>.deb
#
# BINARY is a published rekor-server-posix (x64 or arm64; the architecture is read from the ELF
# header); without it the script publishes one for linux-x64 first. The package holds:
#   /usr/bin/rekor-server-posix
#   /lib/systemd/system/rekor-posix.service          (packaging/systemd)
#   /etc/rekor-posix/rekor-posix.conf                (conffile: the serve settings)
#   /etc/nginx/sites-available/rekor-posix           (conffile: packaging/nginx/rekor-posix.conf,
#                                                      included when that file exists)
#   /usr/share/bash-completion/completions/rekor-server-posix, /usr/share/zsh/vendor-completions/_rekor-server-posix
# and maintainer scripts that create the rekor-posix user, /var/lib/rekor-posix and the signer
# key on first install, and keep all three on removal and purge.
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 OUTDIR [BINARY]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
stage=$(mktemp -d "${TMPDIR:-/tmp}/rekor-posix-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT

if [ $# -eq 2 ]; then
    bin=$2
else
    DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
        dotnet publish "$root/RekorPosix.csproj" -c Release -r linux-x64 -o "$stage/publish" >&2
    bin=$stage/publish/rekor-server-posix
fi
[ -x "$bin" ] || { echo "$0: $bin is not an executable" >&2; exit 1; }

case "$(readelf -h "$bin" | sed -n 's/^ *Machine: *//p')" in
    *X86-64*) arch=amd64 ;;
    *AArch64*) arch=arm64 ;;
    *) echo "$0: $bin is neither x86-64 nor AArch64" >&2; exit 1 ;;
esac
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/RekorPosix.csproj" | head -n 1)
# The newest glibc symbol version the binary needs is the package's libc6 floor.
glibc=$(readelf -V "$bin" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n 1)

pkg=$stage/pkg
install -d -m 0755 "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/lib/systemd/system" "$pkg/etc/rekor-posix"
install -m 0755 "$bin" "$pkg/usr/bin/rekor-server-posix"
install -m 0644 "$root/packaging/systemd/rekor-posix.service" "$pkg/lib/systemd/system/rekor-posix.service"
install -m 0644 "$here/rekor-posix.conf" "$pkg/etc/rekor-posix/rekor-posix.conf"
echo /etc/rekor-posix/rekor-posix.conf > "$pkg/DEBIAN/conffiles"
nginx_site=$root/packaging/nginx/rekor-posix.conf
if [ -f "$nginx_site" ]; then
    install -d -m 0755 "$pkg/etc/nginx/sites-available"
    install -m 0644 "$nginx_site" "$pkg/etc/nginx/sites-available/rekor-posix"
    echo /etc/nginx/sites-available/rekor-posix >> "$pkg/DEBIAN/conffiles"
else
    echo "$0: note: $nginx_site does not exist yet; the package has no nginx site" >&2
fi
# Shell completion asks the installed binary itself, so it always matches its flags.
completion=$root/packaging/completion
if [ -f "$completion/rekor-server-posix.bash" ]; then
    install -d -m 0755 "$pkg/usr/share/bash-completion/completions"
    install -m 0644 "$completion/rekor-server-posix.bash" "$pkg/usr/share/bash-completion/completions/rekor-server-posix"
fi
if [ -f "$completion/_rekor-server-posix" ]; then
    install -d -m 0755 "$pkg/usr/share/zsh/vendor-completions"
    install -m 0644 "$completion/_rekor-server-posix" "$pkg/usr/share/zsh/vendor-completions/_rekor-server-posix"
fi
for script in postinst prerm postrm; do
    install -m 0755 "$here/$script" "$pkg/DEBIAN/$script"
done
size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
cat > "$pkg/DEBIAN/control" <<CONTROL
Package: rekor-posix
Version: $version
Architecture: $arch
Maintainer: RekorPosix developers <rekor-posix@invalid>
Installed-Size: $size
Depends: libc6 (>= $glibc), adduser
Recommends: nginx
Section: net
Priority: optional
Description: Sigstore Rekor v2 transparency log kept as tlog-tiles files
 rekor-server-posix is a self-hosted signature transparency log that speaks
 the Rekor v2 API (hashedrekord entries over REST and gRPC) and keeps its
 Merkle tree as C2SP tlog-tiles files in a directory, laid out as tessera's
 POSIX driver does, so that any static web server (nginx) serves the read
 path. One native executable; a hardened systemd unit runs it.
CONTROL

deb=$out/rekor-posix_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "$deb"
