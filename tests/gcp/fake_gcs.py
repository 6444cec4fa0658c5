#!/usr/bin/env python3
"""A GCS JSON API server for one bucket, in memory, for running the gcp binary's JSON path end to
end (there is no GCS emulator on our machines). It follows Google's documented behaviour for the
calls the server makes (https://cloud.google.com/storage/docs/json_api/v1/objects):

  POST   /upload/storage/v1/b/B/o?uploadType=multipart[&ifGenerationMatch=G]   multipart/related
         (JSON metadata, then the media); 412 conditionNotMet when the object's generation is not G
         (0: the object must not exist); 200 with the object resource
  GET    /storage/v1/b/B/o/NAME?alt=media     the bytes, Content-Type as uploaded; 404 notFound
  GET    /storage/v1/b/B/o/NAME               the object resource
  GET    /storage/v1/b/B/o?prefix=P&maxResults=N[&pageToken=T]   names in order, nextPageToken
  DELETE /storage/v1/b/B/o/NAME               204; 404 notFound
  GET    /B/NAME                              anonymous path-style read (Cache-Control, ETag: MD5)

NAME is one path segment, '/' escaped as %2F: a name whose '/' is not escaped misses, as on GCS.
Errors are GCS's JSON error bodies. Requests are logged to stderr when --log is given.

  tests/gcp/fake_gcs.py --bucket tiles --port-file DIR/port     (port chosen free, written there)
"""

import argparse
import base64
import hashlib
import json
import os
import re
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 64 << 20


class Store:
    def __init__(self, bucket):
        self.bucket = bucket
        self.objects = {}  # name -> (data, content type, cache control, generation)
        self.generation = 1_700_000_000_000_000
        self.lock = threading.Lock()

    def resource(self, name, obj):
        data, content_type, cache_control, generation = obj
        r = {"kind": "storage#object", "name": name, "bucket": self.bucket, "generation": str(generation),
             "metageneration": "1", "size": str(len(data))}
        if content_type:
            r["contentType"] = content_type
        if cache_control:
            r["cacheControl"] = cache_control
        return r


def multipart(content_type, body):
    """(metadata JSON bytes, media content type, media bytes) of a multipart/related body, or None."""
    m = re.match(r'\s*multipart/related\s*;(.*)$', content_type or "", re.I)
    b = re.search(r'boundary="?([^";]+)"?', m.group(1)) if m else None
    if not b:
        return None
    delimiter = b"--" + b.group(1).encode()
    pieces = body.split(delimiter)
    # '' before the first delimiter, then the parts, then '--\r\n' after the closing one.
    if len(pieces) < 4 or pieces[0] != b"" or not pieces[-1].startswith(b"--"):
        return None
    parts = []
    for piece in pieces[1:-1]:
        if not piece.startswith(b"\r\n") or not piece.endswith(b"\r\n"):
            return None
        head, sep, content = piece[2:-2].partition(b"\r\n\r\n")
        if not sep:
            return None
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head.decode("latin-1").split("\r\n"))}
        parts.append((headers, content))
    if len(parts) != 2:
        return None
    return parts[0][1], parts[1][0].get("content-type"), parts[1][1]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    store = None
    log = False

    def log_message(self, fmt, *args):
        if self.log:
            sys.stderr.write("fake-gcs: " + fmt % args + "\n")

    def reply(self, status, body=b"", content_type=None, headers=()):
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def json(self, status, doc):
        self.reply(status, json.dumps(doc).encode(), "application/json; charset=UTF-8")

    def error(self, status, message, reason):
        self.json(status, {"error": {"code": status, "message": message, "errors": [{"message": message, "domain": "global", "reason": reason}]}})

    def route(self):
        """(segments of the raw path, each unescaped, query dict)."""
        raw, _, query = self.path.partition("?")
        return [urllib.parse.unquote(s) for s in raw.split("/")[1:]], urllib.parse.parse_qs(query)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(n)

    def do_GET(self):
        segments, query = self.route()
        s = self.store
        if segments[:4] == ["storage", "v1", "b", s.bucket] and segments[4:5] == ["o"]:
            if len(segments) == 5:
                return self.list(query)
            if len(segments) == 6:
                with s.lock:
                    obj = s.objects.get(segments[5])
                if obj is None:
                    return self.error(404, f"No such object: {s.bucket}/{segments[5]}", "notFound")
                if query.get("alt") == ["media"]:
                    return self.reply(200, obj[0], obj[1] or "application/octet-stream", [("x-goog-generation", str(obj[3]))])
                return self.json(200, s.resource(segments[5], obj))
        if segments and segments[0] not in ("storage", "upload"):
            with s.lock:
                obj = s.objects.get("/".join(segments[1:])) if segments[0] == s.bucket else None
            if obj is None:
                return self.reply(404)
            # The XML API's ETag of a one-part object: its MD5, quoted.
            headers = [("ETag", '"' + hashlib.md5(obj[0]).hexdigest() + '"')] + ([("Cache-Control", obj[2])] if obj[2] else [])
            return self.reply(200, obj[0], obj[1] or "application/octet-stream", headers)
        return self.error(404, "Not Found", "notFound")

    def list(self, query):
        s = self.store
        prefix = query.get("prefix", [""])[0]
        most = min(int(query.get("maxResults", ["1000"])[0]), 1000)
        after = base64.b64decode(query["pageToken"][0]).decode() if "pageToken" in query else None
        with s.lock:
            names = sorted(n for n in s.objects if n.startswith(prefix) and (after is None or n > after))
            page = [(n, s.objects[n]) for n in names[:most]]
        doc = {"kind": "storage#objects"}
        if page:
            doc["items"] = [s.resource(n, o) for n, o in page]
        if len(names) > most:
            doc["nextPageToken"] = base64.b64encode(page[-1][0].encode()).decode()
        self.json(200, doc)

    def do_POST(self):
        segments, query = self.route()
        s = self.store
        if segments != ["upload", "storage", "v1", "b", s.bucket, "o"]:
            return self.error(404, "Not Found", "notFound")
        try:
            body = self.body()
        except ValueError:
            return self.error(413, "Payload Too Large", "uploadTooLarge")
        if query.get("uploadType") != ["multipart"]:
            return self.error(400, "Upload requests must include uploadType=multipart here", "invalid")
        parts = multipart(self.headers.get("Content-Type"), body)
        if parts is None:
            return self.error(400, "Invalid multipart request", "invalid")
        try:
            meta = json.loads(parts[0])
        except ValueError:
            return self.error(400, "Invalid metadata", "invalid")
        name = meta.get("name")
        if not name:
            return self.error(400, "Required", "required")
        with s.lock:
            current = s.objects.get(name)
            want = query.get("ifGenerationMatch")
            if want is not None and int(want[0]) != (current[3] if current else 0):
                obj = None
            else:
                s.generation += 1
                obj = s.objects[name] = (parts[2], meta.get("contentType") or parts[1], meta.get("cacheControl"), s.generation)
        if obj is None:
            return self.error(412, "At least one of the pre-conditions you specified did not hold.", "conditionNotMet")
        self.json(200, s.resource(name, obj))

    def do_DELETE(self):
        segments, _ = self.route()
        s = self.store
        if segments[:5] != ["storage", "v1", "b", s.bucket, "o"] or len(segments) != 6:
            return self.error(404, "Not Found", "notFound")
        with s.lock:
            gone = s.objects.pop(segments[5], None)
        if gone is None:
            return self.error(404, f"No such object: {s.bucket}/{segments[5]}", "notFound")
        self.reply(204)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bucket", required=True)
    p.add_argument("--port", type=int, default=0, help="default: a free one")
    p.add_argument("--port-file", help="write the port here once listening")
    p.add_argument("--log", action="store_true", help="log every request to stderr")
    opts = p.parse_args()
    Handler.store = Store(opts.bucket)
    Handler.log = opts.log
    server = ThreadingHTTPServer(("127.0.0.1", opts.port), Handler)
    server.daemon_threads = True
    if opts.port_file:
        tmp = opts.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(server.server_address[1]))
        os.replace(tmp, opts.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
