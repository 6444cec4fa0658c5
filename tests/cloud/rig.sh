#!/usr/bin/env bash
# The cloud rig: a private MariaDB and an s3rver on loopback, the stand-ins for MySQL and S3 that
# the aws flavour is tested against (docs: shared spec cloud-flavours.md §7.6, §9.3, §9.4).
#
# Sourced:   source tests/cloud/rig.sh && rig_install && rig_start /tmp/rig ... rig_stop
# Run:       tests/cloud/rig.sh install | start DIR | stop DIR
#            (start prints "export NAME=value" lines: eval "$(tests/cloud/rig.sh start /tmp/rig)")
#
# rig_install              apt-get mariadb-server/-client if missing; npm ci s3rver 3.7.1 (pinned by
#                          package-lock.json) into tests/cloud/node_modules unless already there
# rig_start DIR            both servers on free loopback ports, all data, logs, sockets and pid
#                          files under DIR; exports RIG_* and AWS_* (listed at rig_export)
# rig_start_s3_only DIR    s3rver alone (the gcp flavour's XML-API bucket needs no MariaDB); same
#                          exports, RIG_MYSQL_PORT and _PASSWORD empty; rig_stop stops it
# rig_stop_mysql [kill]    stops mariadbd (SIGTERM and wait; "kill": SIGKILL); rig_start_mysql
#                          starts it again on the same port and data. Same for rig_stop_s3/rig_start_s3.
# rig_stop [DIR]           stops both; safe to call twice or when nothing started (trap-friendly)
#
# Every function returns non-zero with a message on stderr instead of exiting, so that a test
# script that sources this file keeps its own error handling. Nothing runs as a system service:
# the Debian package's own server is never started (policy-rc.d) and /etc/mysql is not read.
rig_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RIG_S3_BUCKET=${RIG_S3_BUCKET:-rekor-tiles}
# Seconds to wait for a server to answer; the first MariaDB start also creates InnoDB's files.
RIG_TIMEOUT=${RIG_TIMEOUT:-60}

rig_log() { echo "rig: $*" >&2; }

_rig_as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

rig_install() {
    local need=() policy_made=0 rc=0
    # /usr/sbin is not on a normal user's PATH, so look for the files.
    { [ -x /usr/sbin/mariadbd ] || [ -x /usr/bin/mariadbd ]; } && command -v mariadb-install-db >/dev/null || need+=(mariadb-server)
    command -v mariadb >/dev/null && command -v mariadb-admin >/dev/null || need+=(mariadb-client)
    command -v npm >/dev/null || need+=(nodejs npm)
    if [ ${#need[@]} -gt 0 ]; then
        rig_log "apt-get install ${need[*]}"
        # Without a policy-rc.d (a plain machine, unlike a container) the package would start its
        # own root-owned server on port 3306: forbid that for the length of the install only.
        if [ ! -e /usr/sbin/policy-rc.d ]; then
            _rig_as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d' && policy_made=1
        fi
        # The lock timeout: another job on the machine may be running apt at the same moment.
        _rig_as_root apt-get -o DPkg::Lock::Timeout=300 update -qq \
            && _rig_as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
                --no-install-recommends "${need[@]}" >/dev/null || rc=1
        [ $policy_made = 0 ] || _rig_as_root rm -f /usr/sbin/policy-rc.d
        [ $rc = 0 ] || { rig_log "apt-get install ${need[*]} failed"; return 1; }
    fi
    # npm ci wipes node_modules, so it runs only when the installed tree is not the one the
    # committed lockfile describes (the copy of the lockfile it was made from is kept beside it).
    if [ -f "$rig_here/node_modules/s3rver/package.json" ] && cmp -s "$rig_here/package-lock.json" "$rig_here/node_modules/.rig-lock.json"; then
        return 0
    fi
    rig_log "npm ci (s3rver)"
    if ! (cd "$rig_here" && npm ci --no-audit --no-fund --loglevel=error > "$rig_here/.npm-ci.log" 2>&1); then
        rig_log "npm ci failed: $(tail -n 5 "$rig_here/.npm-ci.log" | tr '\n' ' ')"
        return 1
    fi
    rm -f "$rig_here/.npm-ci.log"
    cp "$rig_here/package-lock.json" "$rig_here/node_modules/.rig-lock.json"
}

# A loopback port nobody listens on, below the kernel's ephemeral range (a port in that range may
# be the local end of some client connection, which a connect test cannot see). $1: a port to avoid.
_rig_free_port() {
    local port low
    read -r low _ < /proc/sys/net/ipv4/ip_local_port_range
    while true; do
        port=$((10000 + RANDOM % (low - 10000)))
        [ "$port" != "${1:-}" ] || continue
        _rig_port_open "$port" || { echo "$port"; return; }
    done
}

# _rig_alive PIDFILE: the recorded process still runs and is ours (its command line names RIG_DIR;
# after a restart of the machine or a SIGKILL the number may belong to someone else).
_rig_alive() {
    local pid
    pid=$(cat "$1" 2>/dev/null) || return 1
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
    # A killed child of this shell stays a zombie (empty command line) until waited for.
    if [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ]; then wait "$pid" 2>/dev/null; return 1; fi
    tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline" | grep -qF -- "$RIG_DIR"
}

# _rig_started PIDFILE: the process this shell has just started has not exited. Its command line
# is not checked: until the forked shell has exec'd the server it is still this script's (seen on
# a loaded machine, where the first check came before the fork had even opened its log).
_rig_started() {
    local pid
    pid=$(cat "$1" 2>/dev/null) || return 1
    [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
    if [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ]; then wait "$pid" 2>/dev/null; return 1; fi
}

_rig_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# _rig_gone PIDFILE TRIES: waits up to TRIES tenths of a second for the process to be gone.
_rig_gone() {
    local i
    for ((i = 0; i < $2; i++)); do
        _rig_alive "$1" || return 0
        sleep 0.1
    done
    return 1
}

# _rig_stop_pid PIDFILE NAME PORT [kill]: SIGTERM and wait up to RIG_TIMEOUT s (then SIGKILL), or
# SIGKILL at once; then until PORT is closed, so that a restart can bind it again.
_rig_stop_pid() {
    local pidfile=$1 name=$2 port=$3 how=${4:-term} pid i
    if ! _rig_alive "$pidfile"; then rm -f "$pidfile"; return 0; fi
    pid=$(cat "$pidfile")
    if [ "$how" = kill ]; then kill -KILL "$pid" 2>/dev/null || true; else kill -TERM "$pid" 2>/dev/null || true; fi
    if ! _rig_gone "$pidfile" $((RIG_TIMEOUT * 10)); then
        rig_log "$name (pid $pid) did not stop on SIGTERM within ${RIG_TIMEOUT} s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        _rig_gone "$pidfile" 50 || { rig_log "$name (pid $pid) survived SIGKILL"; return 1; }
    fi
    rm -f "$pidfile"
    # A killed process shows as a zombie while its other threads still hold its descriptors
    # (seen with node: the port answered right after its main thread was gone).
    for ((i = 0; i < 50; i++)); do
        _rig_port_open "$port" || return 0
        sleep 0.1
    done
    rig_log "$name (pid $pid) is gone but port $port still answers"
    return 1
}

# _rig_wait NAME PIDFILE LOG COMMAND...: until COMMAND succeeds; fails with the log's tail when the
# process died or RIG_TIMEOUT passed.
_rig_wait() {
    local name=$1 pidfile=$2 log=$3 i
    shift 3
    for ((i = 0; i < RIG_TIMEOUT * 5; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        _rig_started "$pidfile" || { rig_log "$name exited while starting; last lines of $log:"; tail -n 20 "$log" | sed 's/^/  /' >&2; return 1; }
        sleep 0.2
    done
    rig_log "$name did not answer within ${RIG_TIMEOUT} s; last lines of $log:"
    tail -n 20 "$log" | sed 's/^/  /' >&2
    return 1
}

# The admin client: root through the socket in DIR, with the password kept in a 0600 file.
rig_mysql_root() { mariadb --defaults-file="$RIG_DIR/root.cnf" "$@"; }

_rig_mysqld() {
    # --no-defaults: /etc/mysql/my.cnf points at the system's /var/lib/mysql and /run/mysqld.
    # --skip-name-resolve: no DNS on connect; accounts are by address (TCP from 127.0.0.1 is
    # '127.0.0.1', never 'localhost', which is the socket).
    "$(command -v mariadbd || echo /usr/sbin/mariadbd)" --no-defaults --user="$(id -un)" \
        --datadir="$RIG_DIR/mysql" --tmpdir="$RIG_DIR/tmp" --socket="$RIG_DIR/mysqld.sock" \
        --pid-file="$RIG_DIR/mysqld.pid" --log-error="$RIG_DIR/mysqld.log" \
        --bind-address=127.0.0.1 --port="$RIG_MYSQL_PORT" --skip-name-resolve "$@" \
        </dev/null >>"$RIG_DIR/mysqld.log" 2>&1 &
    echo $! > "$RIG_DIR/mysql.rigpid"
    # Out of the job table: a test that kills it hears no "Killed" from bash, which still reaps it.
    disown $!
}

_rig_mysql_answers() {
    MYSQL_PWD=$RIG_MYSQL_PASSWORD mariadb --no-defaults --protocol=tcp -h 127.0.0.1 -P "$RIG_MYSQL_PORT" \
        -u rekor -N -e 'SELECT 1' sequencer
}

rig_start_mysql() {
    [ -n "${RIG_DIR:-}" ] || { rig_log "rig_start_mysql: no rig (rig_start DIR first)"; return 1; }
    _rig_alive "$RIG_DIR/mysql.rigpid" && { rig_log "mariadbd already runs"; return 0; }
    _rig_mysqld
    _rig_wait mariadbd "$RIG_DIR/mysql.rigpid" "$RIG_DIR/mysqld.log" _rig_mysql_answers
}

rig_stop_mysql() { [ -z "${RIG_DIR:-}" ] || _rig_stop_pid "$RIG_DIR/mysql.rigpid" mariadbd "${RIG_MYSQL_PORT:-}" "${1:-term}"; }

# The first start: a new data directory, then one start of mariadbd that applies the accounts
# from an --init-file before it opens the port, so root is never reachable without a password.
_rig_mysql_first_start() {
    local root_pw
    root_pw=$(_rig_password)
    mkdir -p "$RIG_DIR/mysql" "$RIG_DIR/tmp"
    # normal: root gets a password account, not unix_socket auth tied to the OS user named root.
    if ! mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$RIG_DIR/mysql" \
        --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
        > "$RIG_DIR/install-db.log" 2>&1; then
        rig_log "mariadb-install-db failed; last lines of $RIG_DIR/install-db.log:"
        tail -n 20 "$RIG_DIR/install-db.log" | sed 's/^/  /' >&2
        return 1
    fi
    (umask 077 && printf '[client]\nuser=root\npassword=%s\nsocket=%s\n' "$root_pw" "$RIG_DIR/mysqld.sock" > "$RIG_DIR/root.cnf")
    # "normal" also makes root@127.0.0.1 and root@::1 with no password: those (and any anonymous
    # account) go, root keeps the socket only, with a password; the user tessera's driver needs
    # (§2.8: CREATE, ALTER, SELECT, INSERT, UPDATE, DELETE) comes in for TCP from loopback.
    (umask 077 && cat > "$RIG_DIR/init.sql") <<EOF
DELETE FROM mysql.global_priv WHERE User = '' OR (User = 'root' AND Host <> 'localhost');
DELETE FROM mysql.proxies_priv WHERE User = 'root' AND Host <> 'localhost';
FLUSH PRIVILEGES;
ALTER USER 'root'@'localhost' IDENTIFIED BY '$root_pw';
CREATE DATABASE sequencer;
CREATE USER 'rekor'@'127.0.0.1' IDENTIFIED BY '$RIG_MYSQL_PASSWORD';
GRANT CREATE, ALTER, SELECT, INSERT, UPDATE, DELETE ON sequencer.* TO 'rekor'@'127.0.0.1';
EOF
    _rig_mysqld --init-file="$RIG_DIR/init.sql"
    _rig_wait mariadbd "$RIG_DIR/mysql.rigpid" "$RIG_DIR/mysqld.log" _rig_mysql_answers || return 1
    rm -f "$RIG_DIR/init.sql"
}

_rig_s3_answers() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$RIG_S3_PORT/$RIG_S3_BUCKET/"; }

rig_start_s3() {
    [ -n "${RIG_DIR:-}" ] || { rig_log "rig_start_s3: no rig (rig_start DIR first)"; return 1; }
    _rig_alive "$RIG_DIR/s3.rigpid" && { rig_log "s3rver already runs"; return 0; }
    mkdir -p "$RIG_DIR/s3"
    # node runs the script itself, so $! is the server. --configure-bucket keeps an existing
    # bucket and its objects.
    node "$rig_here/node_modules/s3rver/bin/s3rver.js" --directory "$RIG_DIR/s3" --address 127.0.0.1 \
        --port "$RIG_S3_PORT" --configure-bucket "$RIG_S3_BUCKET" --no-vhost-buckets \
        </dev/null >>"$RIG_DIR/s3rver.log" 2>&1 &
    echo $! > "$RIG_DIR/s3.rigpid"
    disown $!
    _rig_wait s3rver "$RIG_DIR/s3.rigpid" "$RIG_DIR/s3rver.log" _rig_s3_answers
}

rig_stop_s3() { [ -z "${RIG_DIR:-}" ] || _rig_stop_pid "$RIG_DIR/s3.rigpid" s3rver "${RIG_S3_PORT:-}" "${1:-term}"; }

# Letters and digits only: safe unquoted in a Go DSN, a connection string and a shell line.
_rig_password() { head -c 48 /dev/urandom | base64 -w0 | tr -dc 'A-Za-z0-9' | head -c 24; }

# The variables a test or a server needs, exported and kept in DIR/rig.env for `stop` and for
# another shell (source DIR/rig.env).
rig_export() {
    export RIG_DIR RIG_MYSQL_PORT RIG_MYSQL_PASSWORD RIG_S3_PORT RIG_S3_BUCKET
    export RIG_MYSQL_SOCKET=$RIG_DIR/mysqld.sock
    export RIG_MYSQL_DSN="rekor:$RIG_MYSQL_PASSWORD@tcp(127.0.0.1:$RIG_MYSQL_PORT)/sequencer"
    export RIG_S3_ENDPOINT=http://127.0.0.1:$RIG_S3_PORT
    export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
    export AWS_ENDPOINT_URL=$RIG_S3_ENDPOINT AWS_S3_FORCE_PATH_STYLE=true
    local name
    # 0600: it holds the rekor password.
    (umask 077 && : > "$RIG_DIR/rig.env")
    for name in RIG_DIR RIG_MYSQL_PORT RIG_MYSQL_PASSWORD RIG_MYSQL_SOCKET RIG_MYSQL_DSN RIG_S3_PORT RIG_S3_BUCKET \
        RIG_S3_ENDPOINT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION AWS_ENDPOINT_URL AWS_S3_FORCE_PATH_STYLE; do
        printf 'export %s=%q\n' "$name" "${!name}"
    done > "$RIG_DIR/rig.env"
}

rig_start() {
    [ $# = 1 ] || { rig_log "usage: rig_start DIR"; return 2; }
    mkdir -p "$1" || return 1
    RIG_DIR=$(cd "$1" && pwd)
    if [ -e "$RIG_DIR/mysql" ] || [ -e "$RIG_DIR/s3" ]; then
        rig_log "$RIG_DIR already holds a rig: rig_stop it and remove it, or pick a new directory"
        return 1
    fi
    RIG_MYSQL_PORT=$(_rig_free_port)
    RIG_S3_PORT=$(_rig_free_port "$RIG_MYSQL_PORT")
    RIG_MYSQL_PASSWORD=$(_rig_password)
    rig_export
    _rig_mysql_first_start || { rig_stop; return 1; }
    rig_start_s3 || { rig_stop; return 1; }
    cat "$RIG_DIR/rig.env"
}

rig_start_s3_only() {
    [ $# = 1 ] || { rig_log "usage: rig_start_s3_only DIR"; return 2; }
    mkdir -p "$1" || return 1
    RIG_DIR=$(cd "$1" && pwd)
    if [ -e "$RIG_DIR/s3" ]; then
        rig_log "$RIG_DIR already holds a rig: rig_stop it and remove it, or pick a new directory"
        return 1
    fi
    RIG_S3_PORT=$(_rig_free_port) RIG_MYSQL_PORT="" RIG_MYSQL_PASSWORD=""
    rig_export
    rig_start_s3 || { rig_stop; return 1; }
    cat "$RIG_DIR/rig.env"
}

rig_stop() {
    local dir=${1:-${RIG_DIR:-}} rc=0
    [ -n "$dir" ] && [ -d "$dir" ] || return 0
    RIG_DIR=$(cd "$dir" && pwd)
    # The ports, when called from another shell than the one that started the rig.
    # shellcheck disable=SC1091
    [ ! -f "$RIG_DIR/rig.env" ] || source "$RIG_DIR/rig.env"
    rig_stop_s3 || rc=1
    rig_stop_mysql || rc=1
    return $rc
}

# Run as a program rather than sourced.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    case "${1:-}" in
        install) rig_install ;;
        start) [ $# = 2 ] || { echo "usage: $0 start DIR" >&2; exit 2; }; rig_start "$2" ;;
        stop)
            [ $# = 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }
            # The pid files in DIR name the processes, DIR/rig.env their ports.
            rig_stop "$2"
            ;;
        *) echo "usage: $0 install | start DIR | stop DIR" >&2; exit 2 ;;
    esac
fi
