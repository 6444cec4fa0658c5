#!/usr/bin/env bash
# A stand-in for rekor-server-posix that has no write API, for run.sh --self-test: `keygen`
# prints a well-formed identity, `witness` listens and prints a vkey, `serve` answers /healthz SERVING and 404 to everything else.
# run.sh must fail against it (interop/write-api), never skip.
set -euo pipefail
case "${1:-}" in
keygen)
    echo "Log ID: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
    echo "Verifier key: interop.rekor-posix.test+00000000+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    ;;
witness)
    # The witnesses run.sh starts beside the log: a vkey, and a listener that answers 404.
    if [[ " $* " == *" --print-vkey "* ]]; then
        echo "w.interop.rekor-posix.test+00000000+BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
        exit 0
    fi
    listen=""
    while [ $# -gt 0 ]; do [ "$1" = --listen ] && listen=$2; shift; done
    exec "${INTEROP_NODE:-node}" -e '
require("http").createServer((req, res) => { res.writeHead(404); res.end(); }).listen(Number(process.argv[1]), "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));' "${listen##*:}"
    ;;
serve)
    port=""
    while [ $# -gt 0 ]; do [ "$1" = --http-port ] && port=$2; shift; done
    exec "${INTEROP_NODE:-node}" -e '
require("http").createServer((req, res) => {
  const ok = req.method === "GET" && req.url === "/healthz";
  res.writeHead(ok ? 200 : 404, { "Content-Type": "application/json" });
  res.end(ok ? "{\"status\":\"SERVING\"}" : "{\"code\":5,\"message\":\"Not Found\"}");
}).listen(Number(process.argv[1]), "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));' "$port"
    ;;
*)
    echo "no-write-api-server: $1 is not supported" >&2
    exit 2
    ;;
esac
