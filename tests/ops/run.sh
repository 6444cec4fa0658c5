#!/usr/bin/env bash
# Operations checks of rekor-server-posix, run by tests/run.sh after the native binary is built:
#
#   tests/ops/run.sh SERVER_BINARY [AWS_BINARY GCPCLOUDSQL_BINARY GCP_BINARY]
#
# SERVER_BINARY is a published rekor-server-posix; the x64 cloud binaries, when not given, are
# published here first (tests/run.sh passes the ones its binary section published).
#
#   keys     a signer key others can read is refused (serve, add), --allow-insecure-key-permissions warns
#   readme   README's "Your first entry by hand" block, run as written (ports moved): 201, 409,
#            bundle, trusted-root, verify-bundle OK; another artifact fails
#   freeze   freeze the log, twice (nothing changes), refused while a writer holds the lock;
#            fsck still passes, writers refuse the frozen log, serve --read-only answers 405
#   systemd  systemd-analyze security --offline=true scores the unit <= 2.0
#   deb      packaging/deb/build.sh, dpkg -i, the installed binary runs, dpkg-deb -c listed,
#            purge keeps the user, the state directory and the key
#   cloud    the rekor-posix-aws, rekor-posix-gcpcloudsql and rekor-posix-gcp packages: built,
#            listed (binary, unit, env template), installed side by side; the env file made root
#            0600 and kept across a reinstall; systemd-analyze verify and security on each unit (and
#            on gcp's with the credentials drop-in its template gives); the binary reads the
#            template's REKOR_* names and never prints the DSN's password or the HMAC secret;
#            purge keeps the key
#   localrig packaging/cloud/local-rig.sh: the command it prints runs rekor-server-aws against
#            MariaDB + s3rver: /healthz, checkpoint in the bucket, one entry, fsck, SIGTERM, stop
#   arm64    packaging/arm64/build.sh cross-builds linux-arm64; under qemu-user: keygen, serve,
#            one hashedrekord entry over POST /api/v2/log/entries, fsck; the aws flavour
#            cross-built, its version under qemu-user, its arm64 package
#
# Installs what it needs with apt (openssl, systemd for systemd-analyze, adduser; the arm64
# cross toolchain through packaging/arm64/build.sh; MariaDB and s3rver through tests/cloud/rig.sh).
# Prints one PASS/FAIL line per check and the seconds each block took; exits non-zero on
# any FAIL. OPS_SKIP_ARM64=1 skips the cross builds and the qemu runs.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if { [ $# -ne 1 ] && [ $# -ne 4 ]; } || [ ! -x "$1" ]; then
    echo "usage: $0 SERVER_BINARY [AWS_BINARY GCPCLOUDSQL_BINARY GCP_BINARY]" >&2
    exit 2
fi
bin=$(realpath "$1")
# The x64 cloud binaries by flavour; empty: published in the cloud block.
cloud_flavours="aws gcpcloudsql gcp"
declare -A cloud_bin=([aws]="" [gcpcloudsql]="" [gcp]="")
if [ $# -eq 4 ]; then
    cloud_bin[aws]=$(realpath "$2")
    cloud_bin[gcpcloudsql]=$(realpath "$3")
    cloud_bin[gcp]=$(realpath "$4")
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/rekorposix-ops.XXXXXX")
pids=()
# The local rig's directory once started: stopped on exit, so a failure leaves no MariaDB behind.
rig_dir=""
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    wait 2>/dev/null
    [ -z "$rig_dir" ] || bash "$root/packaging/cloud/local-rig.sh" stop "$rig_dir" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
failed=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; failed=1; }
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name"; fi; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
# A loopback port nobody listens on (a failed connect), picked at random below the kernel's
# ephemeral range: a port there may be the local end of some client's connection, which a connect
# test cannot see and which makes serve's bind fail (seen while other tests opened thousands).
free_port() {
    local port low
    read -r low _ < /proc/sys/net/ipv4/ip_local_port_range
    while true; do
        port=$((10000 + RANDOM % (low - 10000)))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
    done
}
# Waits up to $2 seconds for GET /healthz on port $1.
wait_healthy() {
    local deadline=$(($(date +%s) + $2))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        curl -fs "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    return 1
}
# A hashedrekord v0.0.2 request made with openssl: P-256 key, SPKI DER, SHA-256 digest, DER ECDSA signature.
make_request() {
    local dir=$1
    openssl ecparam -name prime256v1 -genkey -noout -out "$dir/client.pem" 2>/dev/null
    openssl ec -in "$dir/client.pem" -pubout -outform DER -out "$dir/client.spki" 2>/dev/null
    head -c 64 /dev/urandom > "$dir/artifact"
    openssl dgst -sha256 -binary "$dir/artifact" > "$dir/digest"
    openssl dgst -sha256 -sign "$dir/client.pem" -out "$dir/signature" "$dir/artifact"
    printf '{"hashedRekordRequestV002":{"digest":"%s","signature":{"content":"%s","verifier":{"publicKey":{"rawBytes":"%s"},"keyDetails":"PKIX_ECDSA_P256_SHA_256"}}}}' \
        "$(base64 -w0 "$dir/digest")" "$(base64 -w0 "$dir/signature")" "$(base64 -w0 "$dir/client.spki")" > "$dir/request.json"
}
# POSTs $2 to port $1; prints the HTTP status, keeps the body in $3.
post_entry() {
    curl -s -o "$3" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "@$2" \
        --max-time 120 "http://127.0.0.1:$1/api/v2/log/entries"
}
need=()
command -v openssl >/dev/null || need+=(openssl)
command -v curl >/dev/null || need+=(curl)
command -v flock >/dev/null || need+=(util-linux)
command -v objdump >/dev/null || need+=(binutils)
command -v adduser >/dev/null || need+=(adduser)
command -v systemd-analyze >/dev/null || need+=(systemd)
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"

block_started=0
begin() { block_started=$(date +%s); echo "== ops/$1"; }
took() { echo "ops/$1 took $(($(date +%s) - block_started)) s"; }

origin=ops.rekor-posix.test
cd "$work"
"$bin" keygen --output key.pem --hostname "$origin" > keygen.txt
vkey=$(sed -n 's/^Verifier key: //p' keygen.txt)

# ---- keys -----------------------------------------------------------------------------------
begin keys
cp key.pem open-key.pem && chmod 0644 open-key.pem
port=$(free_port)
"$bin" serve --storage-dir keys-log --signer-filepath open-key.pem --hostname "$origin" --http-port "$port" --grpc-port "$(free_port)" > serve-open.txt 2>&1
check "keys/serve refuses a 0644 key (exit 2, names the fix)" bash -c "[ $? = 2 ] && grep -q 'mode 0644' serve-open.txt && grep -q 'chmod 600' serve-open.txt && [ ! -e keys-log ]"
echo entry > one-entry
check "keys/add refuses a 0644 key (exit 1, names the fix)" bash -c "'$bin' add --storage-dir keys-log --signer-filepath open-key.pem --hostname '$origin' one-entry 2> add-open.txt; [ \$? = 1 ] && grep -q 'chmod 600' add-open.txt"
check "keys/--allow-insecure-key-permissions warns and goes on" bash -c \
    "'$bin' add --storage-dir keys-log --signer-filepath open-key.pem --hostname '$origin' --allow-insecure-key-permissions one-entry 2> add-warn.txt >/dev/null && grep -q warning add-warn.txt"
took keys

# ---- readme ---------------------------------------------------------------------------------
# README's "Your first entry by hand" run as written, with rekor-server-posix on the PATH: only
# the ports move to free ones, so that the block cannot rot and cannot collide with other tests.
begin readme
mkdir -p readme/bin && ln -sf "$bin" readme/bin/rekor-server-posix
readme_port=$(free_port)
readme_ports="--http-port $readme_port --grpc-port $(free_port) --http-metrics-port $(free_port) --tiles-port $(free_port)"
awk '/<!-- first-entry:begin -->/ {on = 1; next} /<!-- first-entry:end -->/ {on = 0} on && !/^```/' "$root/README.md" \
    | sed -e "s|127.0.0.1:3000|127.0.0.1:$readme_port|g" -e "s|--storage-dir log |--storage-dir log $readme_ports |" > readme/first-entry.sh
check "readme/the first-entry block is in README.md and starts the server" grep -q 'serve --hostname localhost' readme/first-entry.sh
(cd readme && PATH="$work/readme/bin:$PATH" timeout 120 bash -e first-entry.sh > out.txt 2>&1)
readme_rc=$?
check "readme/the block runs to the end (exit $readme_rc)" [ "$readme_rc" = 0 ]
check "readme/201, then index 0" bash -c "grep -qx 201 readme/out.txt && grep -qx '\"logIndex\":\"0\"' readme/out.txt"
check "readme/the repeat is 409, naming index 0" grep -q 'already exists in the transparency log with index 0.* 409$' readme/out.txt
check "readme/verify-bundle says OK" grep -qx 'OK: artifact.txt signed by the given key, logged at index 0' readme/out.txt
echo 'not the artifact' > readme/other.txt
(cd readme && "$bin" verify-bundle --bundle entry.sigstore.json --key pub.pem --trusted-root trusted_root.json other.txt > other.out 2>&1)
check "readme/another file fails verification (exit 1, says why)" bash -c "[ $? = 1 ] && grep -q 'is not the artifact the bundle signed' readme/other.out"
[ "$readme_rc" = 0 ] || tail -n 20 readme/out.txt
took readme

# ---- freeze ---------------------------------------------------------------------------------
begin freeze
check "freeze/add writes the 300 entries to freeze (exit 0)" bash -c \
    "seq 1 300 | sed 's/^/frozen entry /' | '$bin' add --storage-dir log --signer-filepath key.pem --hostname '$origin' --stdin-lines > /dev/null 2> add-300.txt"
check "freeze/refused while a writer holds .state/treeState.lock" bash -c "
    flock -x log/.state/treeState.lock -c 'touch held; sleep 5' & holder=\$!
    while [ ! -e held ]; do sleep 0.05; done
    '$bin' freeze --storage-dir log --signer-filepath key.pem --hostname '$origin' 2> freeze-locked.txt; rc=\$?
    wait \$holder
    [ \$rc = 1 ] && grep -q 'treeState.lock' freeze-locked.txt && ! grep -q 'Log frozen' log/checkpoint"
check "freeze/refuses another key (exit 1, checkpoint untouched)" bash -c "cp log/checkpoint before-other-key && '$bin' keygen --output other.pem --hostname '$origin' >/dev/null && { '$bin' freeze --storage-dir log --signer-filepath other.pem --hostname '$origin' 2> freeze-other.txt; [ \$? = 1 ]; } && grep -q 'is not signed by this signer' freeze-other.txt && cmp -s log/checkpoint before-other-key"
check "freeze/writes the frozen checkpoint" bash -c "'$bin' freeze --storage-dir log --signer-filepath key.pem --hostname '$origin' > freeze.txt && grep -q 'at size 300' freeze.txt"
check "freeze/the checkpoint carries \"Log frozen — <Go UnixDate>\"" \
    grep -qE '^Log frozen — (Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9] UTC [0-9]{4}$' log/checkpoint
cp log/checkpoint frozen-checkpoint
check "freeze/again: exit 0, checkpoint unchanged" bash -c \
    "'$bin' freeze --storage-dir log --signer-filepath key.pem --hostname '$origin' | grep -q 'already frozen' && cmp -s log/checkpoint frozen-checkpoint"
check "freeze/fsck passes on the frozen log" "$bin" fsck --storage-dir log --vkey "$vkey"
check "freeze/add refuses the frozen log (exit 1)" bash -c "'$bin' add --storage-dir log --signer-filepath key.pem --hostname '$origin' one-entry 2> add-frozen.txt; [ \$? = 1 ] && grep -q frozen add-frozen.txt"
make_request "$work"
port=$(free_port)
# Every listener on a free port: the defaults (metrics 2112, tiles 3002) may be taken on a shared machine.
"$bin" serve --read-only --storage-dir log --signer-filepath key.pem --hostname "$origin" --http-port "$port" --grpc-port "$(free_port)" \
    --http-metrics-port "$(free_port)" --tiles-port "$(free_port)" > serve-ro.txt 2>&1 &
pid=$!; pids+=("$pid")
if wait_healthy "$port" 30; then
    code=$(post_entry "$port" request.json ro-body.txt)
    check "freeze/serve --read-only answers writes 405" bash -c "[ '$code' = 405 ] && grep -q 'This log has been frozen' ro-body.txt"
else
    fail "freeze/serve --read-only did not answer /healthz: $(tail -n 5 serve-ro.txt | tr '\n' ' ')"
fi
kill -TERM "$pid"; wait "$pid"
check "freeze/read-only serve exits 0 and leaves the checkpoint alone" bash -c "[ $? = 0 ] && cmp -s log/checkpoint frozen-checkpoint"
took freeze

# ---- systemd --------------------------------------------------------------------------------
begin systemd
unit=$root/packaging/systemd/rekor-posix.service
systemd-analyze security --offline=true "$unit" > security.txt 2>&1
score=$(sed -n 's/.*Overall exposure level for rekor-posix.service: \([0-9.]*\).*/\1/p' security.txt)
echo "systemd-analyze security --offline=true: ${score:-?}"
check "systemd/exposure score ${score:-?} <= 2.0" awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.0) }'
check "systemd/unit is Type=notify with a watchdog" bash -c "grep -qx 'Type=notify' '$unit' && grep -q '^WatchdogSec=' '$unit'"
witness_unit=$root/packaging/systemd/rekor-witness.service
systemd-analyze security --offline=true "$witness_unit" > witness-security.txt 2>&1
wscore=$(sed -n 's/.*Overall exposure level for rekor-witness.service: \([0-9.]*\).*/\1/p' witness-security.txt)
check "systemd/the witness unit's exposure score ${wscore:-?} <= 2.0" awk -v s="${wscore:-99}" 'BEGIN { exit !(s <= 2.0) }'
took systemd

# ---- deb ------------------------------------------------------------------------------------
begin deb
# Clean up afterwards only what this test created.
had_user=0; getent passwd rekor-posix >/dev/null && had_user=1
had_etc=0; [ -e /etc/rekor-posix ] && had_etc=1
had_var=0; [ -e /var/lib/rekor-posix ] && had_var=1
deb=$(bash "$root/packaging/deb/build.sh" "$work/deb" "$bin")
check "deb/build.sh made rekor-posix_<version>_amd64.deb" test -f "$deb"
dpkg-deb -c "$deb"
if [ -f "$root/packaging/nginx/rekor-posix.conf" ]; then
    check "deb/holds the nginx site as a conffile" bash -c \
        "dpkg-deb -c '$deb' | grep -q ' ./etc/nginx/sites-available/rekor-posix\$' && dpkg-deb -I '$deb' conffiles | grep -qx /etc/nginx/sites-available/rekor-posix"
fi
dpkg-deb -f "$deb" Package Version Architecture Depends
if [ -f "$root/packaging/completion/rekor-server-posix.bash" ]; then
    check "deb/holds the bash and zsh completions" bash -c \
        "dpkg-deb -c '$deb' | grep -q ' ./usr/share/bash-completion/completions/rekor-server-posix\$' && dpkg-deb -c '$deb' | grep -q ' ./usr/share/zsh/vendor-completions/_rekor-server-posix\$'"
fi
install_deb() { as_root dpkg -i "$deb" > dpkg-i.txt 2>&1 || { cat dpkg-i.txt; return 1; }; }
check "deb/dpkg -i installs it" install_deb
check "deb/the installed binary runs" bash -c "/usr/bin/rekor-server-posix version | grep -q 'native AOT'"
check "deb/the installed binary makes keys" bash -c "/usr/bin/rekor-server-posix keygen --output deb-key.pem --hostname '$origin' | grep -q '^Verifier key: '"
check "deb/postinst made the user, /var/lib/rekor-posix (theirs, 0755) and a root-only key" bash -c \
    "getent passwd rekor-posix >/dev/null && [ \"\$(stat -c '%U %a' /var/lib/rekor-posix)\" = 'rekor-posix 755' ] && [ \"\$(stat -c '%U %a' /etc/rekor-posix/signer.key)\" = 'root 600' ]"
check "deb/systemd-analyze verify accepts the installed unit" systemd-analyze verify /lib/systemd/system/rekor-posix.service
check "deb/holds the witness unit, which systemd-analyze verify accepts" systemd-analyze verify /lib/systemd/system/rekor-witness.service
# The unit's command as systemd would run it (no systemd here): user rekor-posix, the packaged
# config through REKOR_CONFIG, the key as a private credential copy, the log in the state directory.
creds=$(mktemp -d /tmp/rekorposix-creds.XXXXXX) && chmod 0755 "$creds"
as_root install -o rekor-posix -m 0400 /etc/rekor-posix/signer.key "$creds/signer.key"
port=$(free_port)
# setpriv execs (no fork), so $! is the server itself.
sudo_=(); [ "$(id -u)" = 0 ] || sudo_=(sudo)
"${sudo_[@]}" setpriv --reuid=rekor-posix --regid=rekor-posix --clear-groups env REKOR_CONFIG=/etc/rekor-posix/rekor-posix.conf CREDENTIALS_DIRECTORY="$creds" \
    bash -c "umask 0022; exec /usr/bin/rekor-server-posix serve --storage-dir=/var/lib/rekor-posix/log --signer-filepath=$creds/signer.key \
    --hostname '$origin' --http-port $port --grpc-port $(free_port) --http-metrics-port $(free_port) --tiles-port $(free_port)" > unit-serve.txt 2>&1 &
pid=$!; pids+=("$pid")
check "deb/the unit's serve runs as rekor-posix with the packaged config" wait_healthy "$port" 30
check "deb/the tiles it writes are readable by nginx (other users)" bash -c \
    "[ \"\$(stat -c '%U %a' /var/lib/rekor-posix/log/checkpoint)\" = 'rekor-posix 644' ]"
"${sudo_[@]}" kill -TERM "$pid"; wait "$pid"
check "deb/... and stops with exit 0 on SIGTERM" test $? = 0
grep -q 'Log origin' unit-serve.txt || tail -n 20 unit-serve.txt
rm -rf "$creds"
as_root dpkg --purge rekor-posix > dpkg-purge.txt 2>&1
check "deb/purge removes the binary, keeps the user, the log directory and the key" bash -c \
    "[ ! -e /usr/bin/rekor-server-posix ] && getent passwd rekor-posix >/dev/null && [ -d /var/lib/rekor-posix ] && [ -f /etc/rekor-posix/signer.key ]"
[ $had_etc = 0 ] && as_root rm -rf /etc/rekor-posix
[ $had_var = 0 ] && as_root rm -rf /var/lib/rekor-posix
[ $had_user = 0 ] && as_root deluser --system rekor-posix >/dev/null 2>&1 && { getent group rekor-posix >/dev/null && as_root delgroup --system rekor-posix >/dev/null 2>&1; true; }
took deb

# ---- cloud ----------------------------------------------------------------------------------
begin cloud
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/RekorPosix.csproj" | head -n 1)
declare -A cloud_deb=([aws]="" [gcpcloudsql]="" [gcp]="")
names_flavour() { "$1" version > "version-$2.txt" && grep -q "^rekor-server-$2 " "version-$2.txt" && grep -q 'native AOT' "version-$2.txt"; }
deb_made() {
    [ "${cloud_deb[$1]}" = "$work/deb-cloud/rekor-posix-${1}_${version}_amd64.deb" ] &&
        dpkg-deb -f "${cloud_deb[$1]}" Depends | grep -qx 'libc6 (>= 2\.[0-9]*), libssl3 | libssl3t64, ca-certificates'
}
deb_lists() {
    dpkg-deb -c "${cloud_deb[$1]}" > "deb-$1.list" &&
        grep -q " ./usr/bin/rekor-server-$1\$" "deb-$1.list" &&
        grep -q " ./lib/systemd/system/rekor-posix-$1.service\$" "deb-$1.list" &&
        grep -q " ./usr/share/rekor-posix-$1/$1.env\$" "deb-$1.list" &&
        ! grep -q ' ./etc/' "deb-$1.list"
}
for f in $cloud_flavours; do
    if [ -z "${cloud_bin[$f]}" ]; then
        # Not given: published here as tests/run.sh's binary section publishes it.
        DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 dotnet publish "$root/RekorPosix.csproj" -c Release -r linux-x64 \
            -p:Backend=$f -o "$work/cloud-$f" > "publish-$f.txt" 2>&1 || tail -n 20 "publish-$f.txt"
        cloud_bin[$f]=$work/cloud-$f/rekor-server-$f
    fi
    check "cloud/$f: the x64 binary's version names it (rekor-server-$f, native AOT)" names_flavour "${cloud_bin[$f]}" "$f"
    cloud_deb[$f]=$(bash "$root/packaging/deb/build.sh" "$work/deb-cloud" "${cloud_bin[$f]}" 2> "deb-$f.txt") || cat "deb-$f.txt"
    check "cloud/$f: build.sh made rekor-posix-${f}_${version}_amd64.deb, depending on libc6, OpenSSL and the CAs" deb_made "$f"
    check "cloud/$f: dpkg-deb -c lists the binary, the unit and the env template, nothing under /etc" deb_lists "$f"
done
dpkg-deb -c "${cloud_deb[aws]}"

had_etc=0; [ -e /etc/rekor-posix ] && had_etc=1
# A stand-in signer key for the purge check, only where the machine has none.
made_keys=()
for f in $cloud_flavours; do [ -e "/etc/rekor-posix/$f-signer.key" ] || made_keys+=("$f"); done
install_cloud() { as_root dpkg -i "${cloud_deb[aws]}" "${cloud_deb[gcpcloudsql]}" "${cloud_deb[gcp]}" > dpkg-i-cloud.txt 2>&1 || { cat dpkg-i-cloud.txt; return 1; }; }
check "cloud/dpkg -i installs the three cloud packages side by side" install_cloud
env_made() { [ "$(stat -c '%U:%G %a' "/etc/rekor-posix/$1.env")" = 'root:root 600' ] && cmp -s "/etc/rekor-posix/$1.env" "$root/packaging/systemd/$1.env"; }
unit_shape() {
    local unit=/lib/systemd/system/rekor-posix-$1.service
    grep -qx 'Type=notify' "$unit" && grep -q '^WatchdogSec=' "$unit" && grep -qx 'DynamicUser=yes' "$unit" &&
        grep -qx "EnvironmentFile=/etc/rekor-posix/$1.env" "$unit" &&
        grep -qx "ExecStart=/usr/bin/rekor-server-$1 serve --signer-filepath=%d/signer.key" "$unit" &&
        grep -qx "LoadCredential=signer.key:/etc/rekor-posix/$1-signer.key" "$unit" && ! grep -q @FLAVOUR@ "$unit"
}
# Every REKOR_ name the template suggests is one that serve reads (its help names each variable).
template_names() {
    local names name
    names=$(grep -o '^#\?REKOR_[A-Z0-9_]*=' "/etc/rekor-posix/$1.env" | tr -d '#=' | sort -u)
    [ -n "$names" ] && "/usr/bin/rekor-server-$1" serve --help > "help-$1.txt" || return 1
    for name in $names; do grep -qw "env $name" "help-$1.txt" || { echo "  $name is no serve flag's variable"; return 1; }; done
}
# An env file as an operator fills it in, passed as systemd passes it: serve takes the hostname,
# bucket and database from it (it gets as far as connecting to the database, MySQL or the Spanner
# emulator, on a closed port here) and prints nothing of the password or the HMAC secret.
env_file_read() {
    local f=$1 database vars
    {
        echo "# /etc/rekor-posix/$f.env"
        echo "REKOR_HOSTNAME=$origin"
        case $f in
            aws)
                database=MySQL
                echo "REKOR_AWS_BUCKET=ops-bucket"
                echo "REKOR_AWS_MYSQL_DSN=rekor:opsSecretPw42@tcp(127.0.0.1:$(free_port))/sequencer?parseTime=true"
                echo "AWS_REGION=us-east-1"
                ;;
            gcpcloudsql)
                database=MySQL
                echo "REKOR_GCP_BUCKET=ops-bucket"
                echo "REKOR_GCP_CLOUDSQL_DSN=rekor:opsSecretPw42@tcp(127.0.0.1:$(free_port))/sequencer?parseTime=true"
                ;;
            gcp)
                # The XML path (HMAC), so that the secret is in the file; Spanner is the emulator's.
                database=Spanner
                echo "REKOR_GCP_BUCKET=ops-bucket"
                echo "REKOR_GCP_SPANNER=projects/ops/instances/ops/databases/sequencer"
                echo "SPANNER_EMULATOR_HOST=127.0.0.1:$(free_port)"
                echo "GCS_ENDPOINT_URL=http://127.0.0.1:$(free_port)"
                ;;
        esac
        echo "GCS_HMAC_ACCESS_KEY_ID=ops"
        echo "GCS_HMAC_SECRET=opsSecretPw42"
    } > "filled-$f.env"
    mapfile -t vars < <(grep -E '^[A-Z_][A-Z0-9_]*=' "filled-$f.env")
    if env "${vars[@]}" "/usr/bin/rekor-server-$f" serve --signer-filepath key.pem --http-port "$(free_port)" --grpc-port "$(free_port)" \
        --http-metrics-port "$(free_port)" > "serve-env-$f.txt" 2>&1; then
        echo "  serve exited 0 against a closed database port"
        return 1
    fi
    if grep -q "Log origin $origin" "serve-env-$f.txt" && grep -q "$database" "serve-env-$f.txt" && grep -q ops-bucket "serve-env-$f.txt" &&
        ! grep -q 'is required' "serve-env-$f.txt" && ! grep -q opsSecretPw42 "serve-env-$f.txt"; then
        return 0
    fi
    tail -n 5 "serve-env-$f.txt"
    return 1
}
for f in $cloud_flavours; do
    unit=/lib/systemd/system/rekor-posix-$f.service
    check "cloud/$f: postinst made /etc/rekor-posix/$f.env from the template, root 0600" env_made "$f"
    check "cloud/$f: systemd-analyze verify accepts the installed unit" systemd-analyze verify "$unit"
    systemd-analyze security --offline=true "$unit" > "security-$f.txt" 2>&1
    score=$(sed -n "s/.*Overall exposure level for rekor-posix-$f.service: \([0-9.]*\).*/\1/p" "security-$f.txt")
    check "cloud/$f: the unit's exposure score ${score:-?} <= 2.0" awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.0) }'
    check "cloud/$f: the unit is notify + watchdog, DynamicUser, its env file and key, only --signer-filepath on the command line" unit_shape "$f"
    check "cloud/$f: every REKOR_ variable of the env template is a serve flag's" template_names "$f"
    check "cloud/$f: serve takes hostname, bucket and database from the env file and never prints a secret" env_file_read "$f"
done
# gcp's service-account key file reaches the DynamicUser as a credential, through the drop-in its
# template spells out: that drop-in, on the installed unit, must pass verify and keep the score.
gcp_dropin() {
    local unit=/lib/systemd/system/rekor-posix-gcp.service dropin=rekor-posix-gcp.service
    # The indented comment lines from "[Service]" on, uncommented.
    awk '/^#   \[Service\]$/ { on = 1 } on && !/^#   / { exit } on { sub(/^#   /, ""); print }' /etc/rekor-posix/gcp.env > gcp-dropin.conf
    grep -qx 'LoadCredential=gcp-credentials.json:/etc/rekor-posix/gcp-credentials.json' gcp-dropin.conf &&
        grep -qx 'Environment=GOOGLE_APPLICATION_CREDENTIALS=%d/gcp-credentials.json' gcp-dropin.conf || { cat gcp-dropin.conf; return 1; }
    # A unit file with the drop-in appended: what systemd merges, without touching /etc/systemd.
    { cat "$unit"; echo; cat gcp-dropin.conf; } > "$dropin"
    systemd-analyze verify "$work/$dropin" || return 1
    systemd-analyze security --offline=true "$work/$dropin" > security-gcp-dropin.txt 2>&1
    local score
    score=$(sed -n "s/.*Overall exposure level for $dropin: \([0-9.]*\).*/\1/p" security-gcp-dropin.txt)
    awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.0) }' || { echo "  score ${score:-?}"; return 1; }
}
check "cloud/gcp: the env template's credentials drop-in passes systemd-analyze verify, score <= 2.0" gcp_dropin
# The operator's file, changed and made 0640, survives a reinstall byte for byte and mode for mode.
env_kept() {
    as_root sh -c 'echo REKOR_HOSTNAME=operator.example >> /etc/rekor-posix/aws.env && chmod 0640 /etc/rekor-posix/aws.env' &&
        cp /etc/rekor-posix/aws.env operator-aws.env &&
        as_root dpkg -i "${cloud_deb[aws]}" > dpkg-reinstall.txt 2>&1 &&
        cmp -s /etc/rekor-posix/aws.env operator-aws.env && [ "$(stat -c %a /etc/rekor-posix/aws.env)" = 640 ]
}
check "cloud/aws: reinstalling keeps an operator's env file (bytes and mode)" env_kept
for f in "${made_keys[@]}"; do as_root install -m 0600 /dev/null "/etc/rekor-posix/$f-signer.key"; done
as_root dpkg --purge rekor-posix-aws rekor-posix-gcpcloudsql rekor-posix-gcp > dpkg-purge-cloud.txt 2>&1 || cat dpkg-purge-cloud.txt
purged() {
    local f
    for f in $cloud_flavours; do
        [ ! -e "/usr/bin/rekor-server-$f" ] && [ ! -e "/lib/systemd/system/rekor-posix-$f.service" ] &&
            [ ! -e "/usr/share/rekor-posix-$f" ] && [ ! -e "/etc/rekor-posix/$f.env" ] &&
            [ -f "/etc/rekor-posix/$f-signer.key" ] || return 1
    done
}
check "cloud/purge removes binaries, units, templates and env files, keeps the signer keys" purged
for f in "${made_keys[@]}"; do as_root rm -f "/etc/rekor-posix/$f-signer.key"; done
[ $had_etc = 0 ] && as_root rm -rf /etc/rekor-posix
took cloud

# ---- localrig -------------------------------------------------------------------------------
begin localrig
# What an operator does with packaging/cloud/local-rig.sh: start, paste the printed command.
rig_dir=$work/localrig
bash "$root/packaging/cloud/local-rig.sh" start "$rig_dir" "${cloud_bin[aws]}" > localrig.txt 2> localrig-err.txt
rig_rc=$?
cat localrig.txt
rig_command=$(grep -v '^#' localrig.txt)
one_command() { [ $rig_rc = 0 ] && [ "$(grep -vc '^#' localrig.txt)" = 1 ] && [[ $rig_command == *" ${cloud_bin[aws]} serve "* ]]; }
check "localrig/start: exit 0, the rig up, one command line for rekor-server-aws" one_command
# The bucket's checkpoint as a client reads it; its size line is $1.
bucket_checkpoint_at() {
    local i
    for ((i = 0; i < 40; i++)); do
        # shellcheck disable=SC1091 # written by the rig at start
        (source "$rig_dir/rig.env" && curl -fs "$RIG_S3_ENDPOINT/$RIG_S3_BUCKET/checkpoint") > bucket-checkpoint.txt 2>/dev/null &&
            [ "$(sed -n 1p bucket-checkpoint.txt)" = rekor-local ] && [ "$(sed -n 2p bucket-checkpoint.txt)" = "$1" ] && return 0
        sleep 0.5
    done
    return 1
}
if one_command; then
    port=$(sed -n 's/.* --http-port=\([0-9]*\).*/\1/p' <<<"$rig_command")
    # As pasted into a shell in the rig's directory; $! is the server itself.
    cd "$rig_dir" || exit 1
    eval "$rig_command > '$work/localrig-serve.txt' 2>&1 &"
    pid=$!; pids+=("$pid")
    cd "$work" || exit 1
    if wait_healthy "${port:-0}" 60; then
        pass "localrig/the printed command starts rekor-server-aws (/healthz answers)"
        check "localrig/its checkpoint (size 0) is in the bucket" bucket_checkpoint_at 0
        mkdir -p localrig-request && make_request "$work/localrig-request"
        code=$(post_entry "$port" localrig-request/request.json localrig-created.json)
        check "localrig/POST /api/v2/log/entries: 201 at logIndex 0" bash -c \
            "[ '$code' = 201 ] && grep -q '\"logIndex\":\"0\"' localrig-created.json"
        [ "$code" = 201 ] || { echo "status $code"; cat localrig-created.json; tail -n 20 localrig-serve.txt; }
        rig_vkey=$(sed -n 's/^# Verifier key: //p' localrig.txt)
        bucket_fsck() {
            bucket_checkpoint_at 1 || { echo "  the bucket's checkpoint never reached size 1"; return 1; }
            # shellcheck disable=SC1091 # written by the rig at start
            if (source "$rig_dir/rig.env" &&
                "${cloud_bin[aws]}" fsck --aws-bucket "$RIG_S3_BUCKET" --aws-mysql-dsn "$RIG_MYSQL_DSN" --vkey "$rig_vkey") > localrig-fsck.txt 2>&1 &&
                grep -q 'size 1 ' localrig-fsck.txt; then
                return 0
            fi
            cat localrig-fsck.txt
            return 1
        }
        check "localrig/fsck of the bucket and database passes at size 1" bucket_fsck
    else
        fail "localrig/the printed command did not answer /healthz within 60 s"
        tail -n 20 localrig-serve.txt
    fi
    kill -TERM "$pid"; wait "$pid"
    check "localrig/the server exits 0 on SIGTERM" test $? = 0
else
    echo "localrig: start exited $rig_rc: $(tail -n 5 localrig-err.txt | tr '\n' ' ')"
fi
rig_stopped() {
    bash "$root/packaging/cloud/local-rig.sh" stop "$rig_dir" &&
        [ ! -e "$rig_dir/mysql.rigpid" ] && [ ! -e "$rig_dir/s3.rigpid" ]
}
check "localrig/stop: MariaDB and s3rver are gone" rig_stopped
rig_dir=""
took localrig

# ---- arm64 ----------------------------------------------------------------------------------
if [ "${OPS_SKIP_ARM64:-0}" = 1 ]; then
    # tests/run.sh requires the arm64 checks: this is for a developer's own runs only.
    echo "ops/arm64 skipped (OPS_SKIP_ARM64=1)"
    [ $failed = 0 ]; exit
fi
begin arm64
bash "$root/packaging/arm64/build.sh" "$work/arm64" > arm64-build.txt 2>&1 || tail -n 30 arm64-build.txt
arm=$work/arm64/rekor-server-posix
check "arm64/cross publish produced an AArch64 executable" bash -c "readelf -h '$arm' | grep -q AArch64"
check "arm64/publish had zero IL/AOT warnings" bash -c "[ -s arm64-build.txt ] && ! grep -qE 'warning (IL|AOT)[0-9]+' arm64-build.txt"
ls -l "$arm" "$bin"
floor=$(objdump -T "$arm" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1)
echo "arm64 glibc floor: $floor (x64: $(objdump -T "$bin" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1))"
# An empty floor (objdump failed, or no versioned symbol was found) would sort below anything.
check "arm64/needs at most GLIBC_2.34 (Raspberry Pi OS bookworm)" bash -c "[[ '$floor' =~ ^GLIBC_2\.[0-9]+(\.[0-9]+)?$ ]] && [ \"\$(printf '%s\n' GLIBC_2.34 '$floor' | sort -V | tail -n 1)\" = GLIBC_2.34 ]"
# qemu-user without -L: the multiarch loader and libc (libc6:arm64) are found at their usual paths.
qemu=(qemu-aarch64)
mkdir -p arm && cd arm
check "arm64/keygen under qemu" bash -c "${qemu[*]} '$arm' keygen --output key.pem --hostname '$origin' > keygen.txt"
arm_vkey=$(sed -n 's/^Verifier key: //p' keygen.txt)
port=$(free_port)
"${qemu[@]}" "$arm" serve --storage-dir log --signer-filepath key.pem --hostname "$origin" --http-port "$port" --grpc-port "$(free_port)" \
    --http-metrics-port "$(free_port)" --tiles-port "$(free_port)" --checkpoint-interval 200ms --server-timeout 90s > serve.txt 2>&1 &
pid=$!; pids+=("$pid")
started=$(date +%s)
if wait_healthy "$port" 90; then
    pass "arm64/serve under qemu answers /healthz (after $(($(date +%s) - started)) s)"
    make_request "$work/arm"
    code=$(post_entry "$port" request.json created.json)
    check "arm64/POST /api/v2/log/entries under qemu: 201 at logIndex 0" bash -c "[ '$code' = 201 ] && grep -q '\"logIndex\":\"0\"' created.json"
    [ "$code" = 201 ] || { echo "status $code"; cat created.json; tail -n 20 serve.txt; }
else
    fail "arm64/serve under qemu did not answer /healthz within 90 s"
    tail -n 20 serve.txt
fi
kill -TERM "$pid"; wait "$pid"
check "arm64/serve under qemu exits 0 on SIGTERM" test $? = 0
check "arm64/fsck under qemu passes on the log it wrote" bash -c "${qemu[*]} '$arm' fsck --storage-dir log --vkey '$arm_vkey' > fsck.txt 2>&1 && grep -q ' size 1 root ' fsck.txt || { cat fsck.txt; false; }"
cd "$work"
arm_deb=$(bash "$root/packaging/deb/build.sh" "$work/deb-arm64" "$arm" 2>/dev/null)
check "arm64/build.sh packs it as rekor-posix_<version>_arm64.deb" bash -c \
    "[ \"\$(dpkg-deb -f '$arm_deb' Architecture)\" = arm64 ] && dpkg-deb -f '$arm_deb' Depends | grep -q 'libc6 (>= 2.34)'"
# The aws flavour for arm64 (Graviton): cross-built, run under qemu-user, packed.
bash "$root/packaging/arm64/build.sh" "$work/arm64" aws > arm64-aws-build.txt 2>&1 || tail -n 30 arm64-aws-build.txt
arm_aws=$work/arm64/rekor-server-aws
check "arm64/aws: cross publish produced an AArch64 rekor-server-aws with zero IL/AOT warnings" bash -c \
    "readelf -h '$arm_aws' | grep -q AArch64 && grep -q 'RekorPosix -> ' arm64-aws-build.txt && ! grep -qE 'warning (IL|AOT)[0-9]+' arm64-aws-build.txt"
check "arm64/aws: version under qemu-aarch64 (rekor-server-aws, native AOT, linux-arm64)" bash -c \
    "${qemu[*]} '$arm_aws' version > arm64-aws-version.txt && grep -q '^rekor-server-aws ' arm64-aws-version.txt && grep -q 'native AOT' arm64-aws-version.txt && grep -qx 'platform: linux-arm64' arm64-aws-version.txt"
cat arm64-aws-version.txt 2>/dev/null
arm_aws_deb=$(bash "$root/packaging/deb/build.sh" "$work/deb-arm64" "$arm_aws" 2>/dev/null)
check "arm64/aws: packs as rekor-posix-aws_<version>_arm64.deb with the unit and the env template" bash -c \
    "[ \"\$(dpkg-deb -f '$arm_aws_deb' Package Architecture | tr '\n' ' ')\" = 'Package: rekor-posix-aws Architecture: arm64 ' ] && dpkg-deb -c '$arm_aws_deb' > arm64-aws.list && grep -q ' ./lib/systemd/system/rekor-posix-aws.service\$' arm64-aws.list && grep -q ' ./usr/share/rekor-posix-aws/aws.env\$' arm64-aws.list"
took arm64

[ $failed = 0 ]
