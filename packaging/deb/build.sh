#!/usr/bin/env bash
# Builds the Debian packages of RekorPosix with plain dpkg-deb (no debhelper, no fakeroot), one
# package per flavour (packaging/README.md says why):
#
#   packaging/deb/build.sh OUTDIR [BINARY | FLAVOUR | all]   -> OUTDIR/<package>_<version>_<arch>.deb
#
# BINARY is a published rekor-server-<flavour> (x64 or arm64; the flavour is read from its name,
# the architecture from the ELF header). FLAVOUR (posix, aws, gcpcloudsql, gcp) publishes that
# flavour for linux-x64 first, all does so for the four; nothing is posix. Prints each package's path.
#
# rekor-posix (posix) holds:
#   /usr/bin/rekor-server-posix
#   /lib/systemd/system/rekor-posix.service          (packaging/systemd)
#   /lib/systemd/system/rekor-witness.service        (packaging/systemd: the witness command, not enabled;
#                                                      it starts once its key, logs and env are in /etc/rekor-posix)
#   /etc/rekor-posix/rekor-posix.conf                (conffile: the serve settings)
#   /etc/nginx/sites-available/rekor-posix           (conffile: packaging/nginx/rekor-posix.conf,
#                                                      included when that file exists)
#   /usr/share/bash-completion/completions/rekor-server-posix, /usr/share/zsh/vendor-completions/_rekor-server-posix
# and maintainer scripts that create the rekor-posix user, /var/lib/rekor-posix and the signer
# key on first install, and keep all three on removal and purge.
#
# rekor-posix-aws, rekor-posix-gcpcloudsql and rekor-posix-gcp (F) hold:
#   /usr/bin/rekor-server-F
#   /lib/systemd/system/rekor-posix-F.service        (packaging/systemd/rekor-posix-cloud.service.in)
#   /usr/share/rekor-posix-F/F.env                   (packaging/systemd/F.env: the commented template)
# and maintainer scripts (packaging/deb/cloud) that copy the template to /etc/rekor-posix/F.env,
# root 0600, only when that file is missing, and remove it on purge; no user, no key.
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 OUTDIR [BINARY | posix | aws | gcpcloudsql | gcp | all]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
flavours="posix aws gcpcloudsql gcp"
if [ "${2:-}" = all ]; then
    for flavour in $flavours; do bash "$0" "$1" "$flavour"; done
    exit 0
fi
mkdir -p "$1"
out=$(cd "$1" && pwd)
stage=$(mktemp -d "${TMPDIR:-/tmp}/rekor-posix-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT

case "${2:-posix}" in
    posix | aws | gcpcloudsql | gcp)
        flavour=${2:-posix}
        DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
            dotnet publish "$root/RekorPosix.csproj" -c Release -r linux-x64 -p:Backend="$flavour" -o "$stage/publish" >&2
        bin=$stage/publish/rekor-server-$flavour
        ;;
    *)
        bin=$2
        # The binary's name is the flavour's: each flavour is its own executable.
        flavour=$(basename "$bin")
        flavour=${flavour#rekor-server-}
        case " $flavours " in
            *" $flavour "*) ;;
            *) echo "$0: $bin: the name must be rekor-server-<flavour>, one of: $flavours" >&2; exit 1 ;;
        esac
        ;;
esac
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
install -d -m 0755 "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/lib/systemd/system"
install -m 0755 "$bin" "$pkg/usr/bin/rekor-server-$flavour"

# The posix package, as it has always been.
stage_posix() {
    package=rekor-posix
    install -d -m 0755 "$pkg/etc/rekor-posix"
    install -m 0644 "$root/packaging/systemd/rekor-posix.service" "$pkg/lib/systemd/system/rekor-posix.service"
    install -m 0644 "$root/packaging/systemd/rekor-witness.service" "$pkg/lib/systemd/system/rekor-witness.service"
    install -m 0644 "$here/rekor-posix.conf" "$pkg/etc/rekor-posix/rekor-posix.conf"
    echo /etc/rekor-posix/rekor-posix.conf > "$pkg/DEBIAN/conffiles"
    local nginx_site=$root/packaging/nginx/rekor-posix.conf
    if [ -f "$nginx_site" ]; then
        install -d -m 0755 "$pkg/etc/nginx/sites-available"
        install -m 0644 "$nginx_site" "$pkg/etc/nginx/sites-available/rekor-posix"
        echo /etc/nginx/sites-available/rekor-posix >> "$pkg/DEBIAN/conffiles"
    else
        echo "$0: note: $nginx_site does not exist yet; the package has no nginx site" >&2
    fi
    # Shell completion asks the installed binary itself, so it always matches its flags.
    local completion=$root/packaging/completion
    if [ -f "$completion/rekor-server-posix.bash" ]; then
        install -d -m 0755 "$pkg/usr/share/bash-completion/completions"
        install -m 0644 "$completion/rekor-server-posix.bash" "$pkg/usr/share/bash-completion/completions/rekor-server-posix"
    fi
    if [ -f "$completion/_rekor-server-posix" ]; then
        install -d -m 0755 "$pkg/usr/share/zsh/vendor-completions"
        install -m 0644 "$completion/_rekor-server-posix" "$pkg/usr/share/zsh/vendor-completions/_rekor-server-posix"
    fi
    local script
    for script in postinst prerm postrm; do
        install -m 0755 "$here/$script" "$pkg/DEBIAN/$script"
    done
    depends="libc6 (>= $glibc), adduser"
    extra_fields="Recommends: nginx"
    summary="Sigstore Rekor v2 transparency log kept as tlog-tiles files"
    description=" rekor-server-posix is a self-hosted signature transparency log that speaks
 the Rekor v2 API (hashedrekord entries over REST and gRPC) and keeps its
 Merkle tree as C2SP tlog-tiles files in a directory, laid out as tessera's
 POSIX driver does, so that any static web server (nginx) serves the read
 path. One native executable; a hardened systemd unit runs it."
}

# A cloud package: one source of unit and maintainer scripts for all three, the flavour written in.
stage_cloud() {
    package=rekor-posix-$flavour
    sed "s/@FLAVOUR@/$flavour/g" "$root/packaging/systemd/rekor-posix-cloud.service.in" > "$stage/unit"
    install -m 0644 "$stage/unit" "$pkg/lib/systemd/system/$package.service"
    # The template stays under /usr/share: postinst makes the operator's copy in /etc from it.
    install -d -m 0755 "$pkg/usr/share/$package"
    install -m 0644 "$root/packaging/systemd/$flavour.env" "$pkg/usr/share/$package/$flavour.env"
    local script
    for script in postinst prerm postrm; do
        sed "s/@FLAVOUR@/$flavour/g" "$here/cloud/$script" > "$stage/$script"
        install -m 0755 "$stage/$script" "$pkg/DEBIAN/$script"
    done
    # OpenSSL (loaded at run time, so readelf does not see it) and the CAs: TLS to the database
    # and the bucket (for gcp also to Google's token endpoint). No adduser: the unit runs as a
    # DynamicUser.
    depends="libc6 (>= $glibc), libssl3 | libssl3t64, ca-certificates"
    extra_fields=""
    local store
    case $flavour in
        aws)
            summary="Sigstore Rekor v2 transparency log on MySQL and S3"
            store="a MySQL database (Aurora, RDS) and keeps its checkpoint, tiles and
 entry bundles in an S3 bucket"
            ;;
        gcpcloudsql)
            summary="Sigstore Rekor v2 transparency log on Cloud SQL and GCS"
            store="a Cloud SQL for MySQL database and keeps its checkpoint, tiles and
 entry bundles in a GCS bucket (through its S3-compatible XML API)"
            ;;
        gcp)
            summary="Sigstore Rekor v2 transparency log on Cloud Spanner and GCS"
            store="Cloud Spanner databases and keeps its checkpoint, tiles and entry
 bundles in a GCS bucket"
            ;;
    esac
    description=" rekor-server-$flavour is a self-hosted signature transparency log that speaks
 the Rekor v2 API (hashedrekord entries over REST and gRPC), sequences in
 $store, with the tables and object layout of
 rekor-tiles' rekor-server-$flavour, so either server continues the other's
 log. One native executable; a hardened systemd unit runs it."
}

if [ "$flavour" = posix ]; then stage_posix; else stage_cloud; fi
size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
{
    echo "Package: $package"
    echo "Version: $version"
    echo "Architecture: $arch"
    echo "Maintainer: RekorPosix developers <rekor-posix@invalid>"
    echo "Installed-Size: $size"
    echo "Depends: $depends"
    [ -z "$extra_fields" ] || echo "$extra_fields"
    echo "Section: net"
    echo "Priority: optional"
    echo "Description: $summary"
    echo "$description"
} > "$pkg/DEBIAN/control"

deb=$out/${package}_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb" >/dev/null
echo "$deb"
