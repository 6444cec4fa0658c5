#!/usr/bin/env bash
# A cloud flavour on one machine, without Docker: our answer to rekor-tiles' aws-compose.yml and
# cloudsql-compose.yml. Starts the test rig (tests/cloud/rig.sh: a private MariaDB with database
# "sequencer" and user "rekor", and s3rver with the bucket "rekor-tiles", on free loopback ports,
# all data in DIR), makes a signer key, and prints the command line that runs the server against
# them, its environment included. Nothing runs as root's system service; stop it all with `stop`.
#
#   packaging/cloud/local-rig.sh start DIR [BINARY]   BINARY: rekor-server-aws (the default, from
#                                                     PATH) or rekor-server-gcpcloudsql, any path
#   packaging/cloud/local-rig.sh stop DIR
#
# Of what start prints, the lines that are not comments are the command, ready for a shell:
#   cmd=$(packaging/cloud/local-rig.sh start /tmp/rig out/rekor-server-aws | grep -v '^#'); eval "$cmd"
# Settings as in the compose files: --hostname=rekor-local, a checkpoint every 2s, the DSN with
# ?parseTime=true. gcpcloudsql reaches s3rver through GCS_ENDPOINT_URL and GCS_HMAC_* as
# cloudsql-compose.yml reaches MinIO: s3rver stands in for GCS's XML API.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# rig_install, rig_start, rig_stop and _rig_free_port (the rig's own port picker).
# shellcheck source-path=SCRIPTDIR source=../../tests/cloud/rig.sh
source "$here/../../tests/cloud/rig.sh"

# Single quotes for the shell, which read better than backslashes before a DSN's ( ) and ?.
quote() { local q="'\\''"; printf "'%s'" "${1//\'/$q}"; }

usage() { echo "usage: $0 start DIR [BINARY] | stop DIR" >&2; exit 2; }

start() {
    local dir=$1 bin=${2:-rekor-server-aws} path flavour hostname=rekor-local
    path=$(command -v "$bin") || { echo "$0: $bin: not found (publish it, install its package, or give its path)" >&2; exit 1; }
    # Absolute, so that the command runs from any directory (-s: a link keeps its name).
    path=$(realpath -s "$path")
    flavour=$(basename "$path")
    flavour=${flavour#rekor-server-}
    case $flavour in
        aws | gcpcloudsql) ;;
        *) echo "$0: $path: not a cloud flavour (rekor-server-aws or rekor-server-gcpcloudsql)" >&2; exit 1 ;;
    esac
    rig_install
    # The rig prints its variables; they are exported here as well, and kept in DIR/rig.env.
    rig_start "$dir" > /dev/null
    local key=$RIG_DIR/signer.pem
    "$path" keygen --output "$key" --hostname "$hostname" > "$RIG_DIR/keygen.txt" \
        || { echo "$0: keygen failed: $(cat "$RIG_DIR/keygen.txt")" >&2; rig_stop; exit 1; }
    local http grpc metrics
    http=$(_rig_free_port "$RIG_MYSQL_PORT")
    grpc=$(_rig_free_port "$http")
    metrics=$(_rig_free_port "$grpc")
    while [ "$metrics" = "$http" ]; do metrics=$(_rig_free_port "$grpc"); done
    local dsn="$RIG_MYSQL_DSN?parseTime=true" env flags
    if [ "$flavour" = aws ]; then
        env="AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY AWS_REGION=$AWS_REGION"
        env+=" AWS_ENDPOINT_URL=$RIG_S3_ENDPOINT AWS_S3_FORCE_PATH_STYLE=true"
        flags="--aws-bucket=$RIG_S3_BUCKET --aws-mysql-dsn=$(quote "$dsn")"
    else
        env="GCS_HMAC_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID GCS_HMAC_SECRET=$AWS_SECRET_ACCESS_KEY GCS_REGION=$AWS_REGION"
        env+=" GCS_ENDPOINT_URL=$RIG_S3_ENDPOINT"
        flags="--gcp-bucket=$RIG_S3_BUCKET --gcp-cloudsql-dsn=$(quote "$dsn")"
    fi
    echo "# The rig runs, its data in $RIG_DIR: MariaDB on 127.0.0.1:$RIG_MYSQL_PORT, s3rver on $RIG_S3_ENDPOINT."
    echo "# Stop it when done: $0 stop $(printf '%q' "$RIG_DIR")"
    echo "# Writes: http://127.0.0.1:$http/api/v2/log/entries (and /healthz); gRPC 127.0.0.1:$grpc."
    echo "# Reads, from the bucket as clients read it: $RIG_S3_ENDPOINT/$RIG_S3_BUCKET/checkpoint, .../tile/..."
    echo "# $(grep '^Verifier key: ' "$RIG_DIR/keygen.txt")"
    echo "# rekor-server-$flavour against the rig:"
    echo "$env $(printf '%q' "$path") serve --hostname=$hostname $flags" \
        "--signer-filepath=$(printf '%q' "$key") --checkpoint-interval=2s" \
        "--http-port=$http --grpc-port=$grpc --http-metrics-port=$metrics"
}

case "${1:-}" in
    start) [ $# = 2 ] || [ $# = 3 ] || usage; start "$2" "${3:-}" ;;
    stop) [ $# = 2 ] || usage; rig_stop "$2" ;;
    *) usage ;;
esac
