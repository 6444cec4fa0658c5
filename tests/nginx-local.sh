#!/usr/bin/env bash
# Runs the real nginx with packaging/nginx/rekor-posix.conf over a log directory, on a loopback
# port and without touching /etc/nginx: the site file with its paths and ports substituted,
# inside a minimal main config in a directory of its own. Used by tests/run.sh and bench/tiles.sh.
#
#   tests/nginx-local.sh DIR LOG_DIR PORT API_PORT [WORKERS]
#
# Writes DIR/nginx.conf and DIR/site.conf, starts nginx in the background and waits until it
# answers; prints the pid of nginx's master process. Stop it with: kill "$(cat DIR/nginx.pid)".
set -euo pipefail
dir=$1 log=$(realpath "$2") port=$3 api_port=$4 workers=${5:-2}
root=$(cd "$(dirname "$0")/.." && pwd)
nginx=$(command -v nginx || echo /usr/sbin/nginx)
mkdir -p "$dir"
dir=$(realpath "$dir")
sed -e "s|listen 80;|listen 127.0.0.1:$port;|" \
    -e "/listen \[::\]:80;/d" \
    -e "s|/var/lib/rekor-posix/log|$log|g" \
    -e "s|127.0.0.1:3000|127.0.0.1:$api_port|" \
    "$root/packaging/nginx/rekor-posix.conf" > "$dir/site.conf"
# As root, nginx's workers would otherwise drop to "nobody", who may not read a private temp dir.
user_line=""
[ "$(id -u)" = 0 ] && user_line="user root;"
cat > "$dir/nginx.conf" <<CONF
$user_line
worker_processes $workers;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    include $dir/site.conf;
}
CONF
"$nginx" -t -q -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
# In the foreground of a background job rather than as a daemon: it stays in the caller's session
# (and scheduler autogroup), like the server it is compared with.
"$nginx" -g "daemon off;" -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" > "$dir/stdout.log" 2>&1 &
for _ in $(seq 1 100); do
    [ -s "$dir/nginx.pid" ] && curl -s -o /dev/null "http://127.0.0.1:$port/checkpoint" && break
    sleep 0.05
done
cat "$dir/nginx.pid"
