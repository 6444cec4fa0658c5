#!/usr/bin/env bash
# The gcp rig: Google's Cloud Spanner emulator (Debian package google-cloud-cli-spanner-emulator) on
# free loopback ports, as this run's own processes, with an instance and the two databases of
# rekor's compose (docs: shared spec gcp-spanner-flavour.md §8.2-§8.4).
#
# Run:       tests/gcp/emulator.sh start DIR | stop DIR | restart DIR
#            (start prints "export NAME=value" lines: eval "$(tests/gcp/emulator.sh start /tmp/gcprig)")
#
# start DIR   gateway_main (REST) and its child emulator_main (gRPC) on free loopback ports, pid
#             files and log under DIR; instance GCP_RIG_INSTANCE with databases "sequencer" and
#             "sequencer-antispam" (no tables: the server creates those); exports SPANNER_EMULATOR_HOST
#             and GCP_RIG_* (listed at _gcp_export), also kept in DIR/emulator.env
# stop DIR    SIGTERM to both processes (the gateway alone would leave emulator_main holding the
#             gRPC port), SIGKILL after RIG_TIMEOUT s; safe to call twice or when nothing started
# restart DIR stop, then start on the same ports: the emulator keeps nothing on disk, so it comes
#             back with the instance and databases created again, empty
gcp_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The cloud rig's helpers: free ports, waiting for an answer, rig_log.
# shellcheck source=../cloud/rig.sh
source "$gcp_here/../cloud/rig.sh"
GCP_RIG_PROJECT=${GCP_RIG_PROJECT:-rekor-tiles-e2e}
GCP_RIG_INSTANCE=${GCP_RIG_INSTANCE:-rekor-tiles}

# gateway_main under the Cloud SDK root that gcloud reports.
_gcp_gateway() {
    local root
    command -v gcloud >/dev/null || { rig_log "gcloud is not installed: the Cloud Spanner emulator comes with the Cloud SDK (apt-get install google-cloud-cli google-cloud-cli-spanner-emulator)"; return 1; }
    root=$(gcloud info --format='value(installation.sdk_root)' 2>/dev/null) && [ -n "$root" ] \
        || { rig_log "gcloud info did not print the Cloud SDK root (installation.sdk_root)"; return 1; }
    [ -x "$root/bin/cloud_spanner_emulator/gateway_main" ] \
        || { rig_log "the Cloud Spanner emulator is not installed: no $root/bin/cloud_spanner_emulator/gateway_main (apt-get install google-cloud-cli-spanner-emulator)"; return 1; }
    echo "$root/bin/cloud_spanner_emulator/gateway_main"
}

# _gcp_ours PIDFILE NAME: the recorded process still runs and is the emulator binary NAME (after a
# restart of the machine the number may belong to someone else).
_gcp_ours() {
    local pid
    pid=$(cat "$1" 2>/dev/null) || return 1
    [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ]
}

# _gcp_stop PIDFILE NAME: SIGTERM, then SIGKILL after RIG_TIMEOUT s.
_gcp_stop() {
    local pidfile=$1 name=$2 pid i
    if ! _gcp_ours "$pidfile" "$name"; then rm -f "$pidfile"; return 0; fi
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < RIG_TIMEOUT * 10; i++)); do
        _gcp_ours "$pidfile" "$name" || { rm -f "$pidfile"; return 0; }
        sleep 0.1
    done
    rig_log "$name (pid $pid) did not stop on SIGTERM within ${RIG_TIMEOUT} s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
}

_gcp_rest() { curl -fsS --max-time 5 "$@"; }

_gcp_answers() {
    _gcp_rest -o /dev/null "$GCP_RIG_REST/v1/projects/$GCP_RIG_PROJECT/instances" && _rig_port_open "$GCP_RIG_GRPC_PORT"
}

# The instance and databases by the emulator's REST admin API (gcloud takes seconds per command).
_gcp_create() {
    local parent=projects/$GCP_RIG_PROJECT database
    _gcp_rest -o /dev/null -X POST -H 'Content-Type: application/json' "$GCP_RIG_REST/v1/$parent/instances" \
        -d "{\"instanceId\":\"$GCP_RIG_INSTANCE\",\"instance\":{\"config\":\"$parent/instanceConfigs/emulator-config\",\"displayName\":\"$GCP_RIG_INSTANCE\",\"nodeCount\":1}}" \
        || { rig_log "creating instance $parent/instances/$GCP_RIG_INSTANCE failed"; return 1; }
    for database in sequencer sequencer-antispam; do
        _gcp_rest -o /dev/null -X POST -H 'Content-Type: application/json' "$GCP_RIG_REST/v1/$parent/instances/$GCP_RIG_INSTANCE/databases" \
            -d "{\"createStatement\":\"CREATE DATABASE \`$database\`\"}" \
            || { rig_log "creating database $database failed"; return 1; }
    done
}

_gcp_export() {
    export GCP_RIG_DIR GCP_RIG_PROJECT GCP_RIG_INSTANCE GCP_RIG_GRPC_PORT GCP_RIG_REST_PORT GCP_RIG_REST
    export SPANNER_EMULATOR_HOST=127.0.0.1:$GCP_RIG_GRPC_PORT
    export GCP_RIG_SPANNER=projects/$GCP_RIG_PROJECT/instances/$GCP_RIG_INSTANCE/databases/sequencer
    local name
    for name in GCP_RIG_DIR GCP_RIG_PROJECT GCP_RIG_INSTANCE GCP_RIG_GRPC_PORT GCP_RIG_REST_PORT GCP_RIG_REST \
        SPANNER_EMULATOR_HOST GCP_RIG_SPANNER; do
        printf 'export %s=%q\n' "$name" "${!name}"
    done > "$GCP_RIG_DIR/emulator.env"
}

gcp_start() {
    mkdir -p "$1" || return 1
    GCP_RIG_DIR=$(cd "$1" && pwd)
    if [ -e "$GCP_RIG_DIR/gateway.pid" ]; then
        rig_log "$GCP_RIG_DIR already holds an emulator: stop it first, or pick a new directory"
        return 1
    fi
    GCP_RIG_GRPC_PORT=$(_rig_free_port)
    GCP_RIG_REST_PORT=$(_rig_free_port "$GCP_RIG_GRPC_PORT")
    _gcp_launch || return 1
    cat "$GCP_RIG_DIR/emulator.env"
}

# The emulator stopped and started again on the same ports. It keeps nothing on disk: it comes
# back empty, and the instance and databases are created again without tables (a reset of the
# log's database, which is what a restart of this emulator is).
gcp_restart() {
    [ -r "$1/emulator.env" ] || { rig_log "$1 holds no emulator to restart (no emulator.env)"; return 1; }
    gcp_stop "$1" || return 1
    # shellcheck disable=SC1091
    source "$1/emulator.env"
    _gcp_launch
}

# Starts gateway_main on GCP_RIG_GRPC_PORT and GCP_RIG_REST_PORT in GCP_RIG_DIR, waits for both,
# exports, and creates the instance and databases.
_gcp_launch() {
    local gateway child i
    gateway=$(_gcp_gateway) || return 1
    GCP_RIG_REST=http://127.0.0.1:$GCP_RIG_REST_PORT
    # gateway_main finds emulator_main beside itself and starts it as its child.
    "$gateway" --hostname 127.0.0.1 --grpc_port "$GCP_RIG_GRPC_PORT" --http_port "$GCP_RIG_REST_PORT" \
        --copy_emulator_stderr </dev/null >>"$GCP_RIG_DIR/emulator.log" 2>&1 &
    echo $! > "$GCP_RIG_DIR/gateway.pid"
    disown $!
    _rig_wait "Spanner emulator" "$GCP_RIG_DIR/gateway.pid" "$GCP_RIG_DIR/emulator.log" _gcp_answers || { gcp_stop "$GCP_RIG_DIR"; return 1; }
    # The child's pid, for stop: it answers on gRPC only once started, so it is there now.
    for ((i = 0; i < 50; i++)); do
        child=$(pgrep -P "$(cat "$GCP_RIG_DIR/gateway.pid")" -x emulator_main) && break
        sleep 0.1
    done
    [ -n "$child" ] || { rig_log "gateway_main started no emulator_main"; gcp_stop "$GCP_RIG_DIR"; return 1; }
    echo "$child" > "$GCP_RIG_DIR/emulator_main.pid"
    _gcp_export
    _gcp_create || { gcp_stop "$GCP_RIG_DIR"; return 1; }
}

gcp_stop() {
    local dir=$1 rc=0
    [ -n "$dir" ] && [ -d "$dir" ] || return 0
    dir=$(cd "$dir" && pwd)
    # The gateway first, so that nothing is left to look after its child.
    _gcp_stop "$dir/gateway.pid" gateway_main || rc=1
    _gcp_stop "$dir/emulator_main.pid" emulator_main || rc=1
    return $rc
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    case "${1:-}" in
        start) [ $# = 2 ] || { echo "usage: $0 start DIR" >&2; exit 2; }; gcp_start "$2" ;;
        stop) [ $# = 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }; gcp_stop "$2" ;;
        restart) [ $# = 2 ] || { echo "usage: $0 restart DIR" >&2; exit 2; }; gcp_restart "$2" ;;
        *) echo "usage: $0 start DIR | stop DIR | restart DIR" >&2; exit 2 ;;
    esac
fi
