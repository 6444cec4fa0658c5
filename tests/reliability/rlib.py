"""Shared pieces of the reliability scripts (faults.py, diskfull.py, twoprocs.py): signed request
bodies, a server process, a concurrent client, a checkpoint watcher, the log read back from its
files (entries, RFC 6962 roots), the end-of-run checks, and a durability model fed by strace.

Standard library only, plus the openssl command line (request signatures, checkpoint signatures)."""

import atexit
import base64
import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
ORIGIN = "example.com/log/testdata"
VKEY = "example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx"
# The test key, copied private (mode 0600): serve, add and freeze refuse a key others can read.
_KEY_DIR = None


def _private_key_copy():
    global _KEY_DIR
    _KEY_DIR = tempfile.mkdtemp(prefix="rekor-reliability-key.")
    path = os.path.join(_KEY_DIR, "tessera-log-key.pem")
    with open(os.path.join(REPO, "tests", "testdata", "tessera-log-key.pem"), "rb") as src:
        data = src.read()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as dst:
        dst.write(data)
    return path


KEY_PEM = _private_key_copy()
PUB_PEM = os.path.join(REPO, "tests", "testdata", "tessera-log-key.pub.pem")
TILE_WIDTH = 256
ENTRIES_PATH = "/api/v2/log/entries"


# ---- request bodies ------------------------------------------------------------------------

def make_bodies(workdir, count, tag="bodies"):
    """`count` valid hashedrekord v0.0.2 request bodies (P-256 public key, one signature per
    artifact), made once with the openssl command line and cached in workdir."""
    path = os.path.join(workdir, f"{tag}-{count}.jsonl")
    if not os.path.exists(path):
        key = os.path.join(workdir, "client-p256.pem")
        if not os.path.exists(key):
            subprocess.run(["openssl", "ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out", key], check=True)
        # One shell loop: a process per body is the slow part, a Python loop would add nothing.
        script = r'''
set -e
pub=$(openssl ec -in "$1" -pubout -outform DER 2>/dev/null | base64 -w0)
for i in $(seq 1 "$2"); do
    printf '%s artifact %d %s\n' "$3" "$i" "$RANDOM" > "$4.artifact"
    openssl dgst -sha256 -binary "$4.artifact" > "$4.digest"
    d=$(base64 -w0 < "$4.digest")
    s=$(openssl pkeyutl -sign -inkey "$1" -in "$4.digest" | base64 -w0)
    printf '{"hashedRekordRequestV002":{"digest":"%s","signature":{"content":"%s","verifier":{"publicKey":{"rawBytes":"%s"},"keyDetails":"PKIX_ECDSA_P256_SHA_256"}}}}\n' "$d" "$s" "$pub"
done
rm -f "$4.artifact" "$4.digest"
'''
        with open(path + ".part", "w") as out:
            subprocess.run(["bash", "-c", script, "make-bodies", key, str(count), tag, path],
                           stdout=out, check=True)
        os.rename(path + ".part", path)
    with open(path) as f:
        return f.read().splitlines()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- the server ----------------------------------------------------------------------------

_live = set()


def kill_all():
    """Kills every process started here that still runs (at exit, on SIGINT or SIGTERM)."""
    for proc in list(_live):
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        _live.discard(proc)


def _on_signal(signum, _frame):
    kill_all()
    raise SystemExit(128 + signum)


atexit.register(kill_all)
atexit.register(lambda: shutil.rmtree(_KEY_DIR, ignore_errors=True))
signal.signal(signal.SIGTERM, _on_signal)


class Server:
    """One `serve` process on `storage`, optionally under strace (`strace_args`: everything
    between `strace` and the command). Ports are picked free; a lost race for a port is retried."""

    def __init__(self, binary, storage, logfile, extra=(), strace_args=None, checkpoint_interval="100ms",
                 key=KEY_PEM, origin=ORIGIN):
        self.key = key
        self.origin = origin
        self.binary = binary
        self.storage = storage
        self.logfile = logfile
        self.extra = list(extra)
        self.strace_args = strace_args
        self.checkpoint_interval = checkpoint_interval
        self.proc = None
        self.port = None

    def argv(self):
        ports = set()
        while len(ports) < 4:  # the kernel may hand out a port it just gave back
            ports.add(free_port())
        self.port, grpc, metrics, tiles = ports
        args = [self.binary, "serve", "--storage-dir", self.storage, "--signer-filepath", self.key,
                "--hostname", self.origin, "--http-port", str(self.port), "--grpc-port", str(grpc),
                "--http-metrics-port", str(metrics), "--tiles-port", str(tiles),
                "--checkpoint-interval", self.checkpoint_interval,
                "--batch-max-size", "8", "--batch-max-age", "5ms", "--server-timeout", "5s"] + self.extra
        if self.strace_args is not None:
            args = ["strace"] + self.strace_args + ["--"] + args
        return args

    def start(self, timeout=30):
        """Starts and waits for /healthz. Returns True when serving, False when the process
        exited first (see exit_code and output())."""
        for _ in range(5):
            log = open(self.logfile, "ab")
            # Its own session, so that nothing it starts outlives a kill of the group.
            self.proc = subprocess.Popen(self.argv(), stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
            _live.add(self.proc)
            log.close()
            deadline = time.time() + timeout
            while time.time() < deadline:
                if self.proc.poll() is not None:
                    break
                if self.healthy():
                    return True
                time.sleep(0.05)
            if self.proc.poll() is None:
                self.kill()
                raise RuntimeError(f"serve did not answer /healthz within {timeout} s")
            if "address already in use" not in self.output()[-3000:]:
                return False
        return False

    def healthy(self):
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            c.request("GET", "/healthz")
            ok = c.getresponse().status == 200
            c.close()
            return ok
        except OSError:
            return False

    @property
    def exit_code(self):
        return None if self.proc is None else self.proc.poll()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_exit(self, timeout):
        """Waits up to `timeout` s for the process to end by itself; True if it did."""
        try:
            self.proc.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def server_pid(self):
        """The pid of serve itself (strace's child when started under strace)."""
        if self.strace_args is None:
            return self.proc.pid
        for _ in range(200):
            try:
                with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
                    children = f.read().split()
                if children:
                    return int(children[0])
            except OSError:
                return None
            time.sleep(0.01)
        return None

    def stop(self, timeout=60):
        """SIGTERM to serve (not to strace, which would detach); returns its exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return self.exit_code
        pid = self.server_pid()
        if pid:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def output(self):
        try:
            with open(self.logfile, errors="replace") as f:
                return f.read()
        except OSError:
            return ""


def attach_strace(pid, args, trace, timeout=10):
    """Attaches strace (with `args`, e.g. an --inject) to every thread of `pid` (or of each pid
    in a list, into one trace) and returns the strace process once all of them are traced."""
    pids = pid if isinstance(pid, (list, tuple)) else [pid]
    argv = ["strace", "-f", "-qq", "-o", trace] + args
    for p in pids:
        argv += ["-p", str(p)]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _live.add(proc)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"strace exited at once: {proc.stderr.read().decode(errors='replace')}")
        if all(all_traced(p, proc.pid) for p in pids):
            return proc
        time.sleep(0.02)
    proc.kill()
    raise RuntimeError("strace did not attach to every thread")


def all_traced(pid, tracer):
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/status") as f:
                m = re.search(r"^TracerPid:\s*(\d+)", f.read(), re.M)
            if not m or int(m.group(1)) != tracer:
                return False
        return True
    except OSError:
        return False


# ---- the client ----------------------------------------------------------------------------

class Answer:
    __slots__ = ("body", "status", "index", "canonical", "envelope", "error", "dup_index", "when")

    def __init__(self, body):
        self.body = body
        self.status = 0          # 0: no answer (connection refused or reset, client timeout)
        self.index = None        # 201: logIndex
        self.canonical = None    # 201: canonicalizedBody (bytes)
        self.envelope = None     # 201: the checkpoint of the inclusion proof
        self.error = None
        self.dup_index = None    # 409: X-Log-Index
        self.when = None         # when the answer came (set by callers that need it)


def post_all(port, bodies, concurrency=8, timeout=30):
    """Posts every body (a list of JSON texts) with `concurrency` keep-alive clients; returns one
    Answer per body, in order."""
    answers = [Answer(b) for b in bodies]
    lock = threading.Lock()
    nxt = [0]

    def worker():
        conn = None
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= len(answers):
                break
            a = answers[i]
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                conn.request("POST", ENTRIES_PATH, a.body, {"Content-Type": "application/json"})
                r = conn.getresponse()
                data = r.read()
                a.status = r.status
                if r.status == 201:
                    doc = json.loads(data)
                    a.index = int(doc["logIndex"])
                    a.canonical = base64.b64decode(doc["canonicalizedBody"])
                    a.envelope = doc["inclusionProof"]["checkpoint"]["envelope"]
                elif r.status == 409:
                    a.dup_index = int(r.getheader("X-Log-Index"))
                else:
                    a.error = data[:200].decode(errors="replace")
            except (OSError, http.client.HTTPException, ValueError, KeyError) as e:
                a.status = 0
                a.error = f"{type(e).__name__}: {e}"
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(max(1, min(concurrency, len(bodies))))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def status_counts(answers):
    counts = {}
    for a in answers:
        counts[a.status] = counts.get(a.status, 0) + 1
    return ", ".join(f"{k or 'none'}: {v}" for k, v in sorted(counts.items()))


# ---- the log read back from its files ------------------------------------------------------

def index_path(n):
    """C2SP tile index: groups of three digits, all but the last prefixed with x."""
    s = f"{n:03d}"
    if len(s) % 3:
        s = "0" * (3 - len(s) % 3) + s
    groups = [s[i:i + 3] for i in range(0, len(s), 3)]
    return "/".join(["x" + g for g in groups[:-1]] + [groups[-1]])


def tile_path(level, index, width, entries=False):
    p = f"tile/{'entries' if entries else level}/{index_path(index)}"
    return p if width == TILE_WIDTH else f"{p}.p/{width}"


def implied_paths(size):
    """Every bundle and hash tile a tree of `size` implies."""
    paths = []
    full, part = divmod(size, TILE_WIDTH)
    paths += [tile_path(0, i, TILE_WIDTH, True) for i in range(full)]
    if part:
        paths.append(tile_path(0, full, part, True))
    level, n = 0, size
    while n > 0:
        full, part = divmod(n, TILE_WIDTH)
        paths += [tile_path(level, i, TILE_WIDTH) for i in range(full)]
        if part:
            paths.append(tile_path(level, full, part))
        level += 1
        n >>= 8
    return paths


def read_tree_state(root):
    try:
        with open(os.path.join(root, ".state", "treeState"), "rb") as f:
            doc = json.loads(f.read())
        return doc["size"], doc["root"]
    except (OSError, ValueError):
        return None


def parse_checkpoint(note):
    """(size, root base64, body text) of a signed note's checkpoint, without checking signatures."""
    text = note.split("\n\n", 1)[0] + "\n"
    lines = text.split("\n")
    return int(lines[1]), lines[2], text


def read_checkpoint(root):
    try:
        with open(os.path.join(root, "checkpoint"), encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


def read_entries(root, size):
    """The first `size` entries, read from the bundles (partial with full fallback, trimmed)."""
    out = []
    for bundle in range((size + TILE_WIDTH - 1) // TILE_WIDTH):
        width = min(TILE_WIDTH, size - bundle * TILE_WIDTH)
        data = None
        for p in (tile_path(0, bundle, width, True), tile_path(0, bundle, TILE_WIDTH, True)):
            try:
                with open(os.path.join(root, p), "rb") as f:
                    data = f.read()
                break
            except OSError:
                continue
        if data is None:
            raise RuntimeError(f"bundle {bundle} (width {width}) is missing")
        pos = 0
        for _ in range(width):
            n = int.from_bytes(data[pos:pos + 2], "big")
            out.append(data[pos + 2:pos + 2 + n])
            pos += 2 + n
    return out


def leaf_hash(entry):
    return hashlib.sha256(b"\x00" + entry).digest()


def merkle_root(hashes):
    """RFC 6962 MTH over leaf hashes."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    level = list(hashes)
    # Bottom-up with the odd node carried up, which equals the recursive definition.
    while len(level) > 1:
        nxt = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def verify_note(note, pub_pem=PUB_PEM):
    """Checks the Ed25519 signature of a checkpoint note with openssl; True if valid."""
    body, sigs = note.split("\n\n", 1)
    body += "\n"
    for line in sigs.splitlines():
        if not line.startswith("\u2014 " + ORIGIN + " "):
            continue
        raw = base64.b64decode(line.rsplit(" ", 1)[1])
        sig = raw[4:]
        with open(os.devnull, "w") as null:
            with tempfile.TemporaryDirectory() as d:
                with open(os.path.join(d, "msg"), "wb") as f:
                    f.write(body.encode())
                with open(os.path.join(d, "sig"), "wb") as f:
                    f.write(sig)
                r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub_pem, "-rawin",
                                    "-in", os.path.join(d, "msg"), "-sigfile", os.path.join(d, "sig")],
                                   stdout=null, stderr=null)
        return r.returncode == 0
    return False


# ---- watching the checkpoint while a run goes on -------------------------------------------

class Watcher(threading.Thread):
    """Polls `checkpoint` and then `.state/treeState`: every checkpoint seen is kept, and one
    whose size exceeds the treeState read just after it is a violation (treeState only grows)."""

    def __init__(self, root, period=0.005):
        super().__init__(daemon=True)
        self.root = root
        self.period = period
        self.notes = set()
        self.problems = []
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            self.poll()
            time.sleep(self.period)

    def poll(self):
        note = read_checkpoint(self.root)
        state = read_tree_state(self.root)
        if note is None:
            return
        try:
            size = parse_checkpoint(note)[0]
        except (ValueError, IndexError):
            self.problems.append(f"unparsable checkpoint: {note[:80]!r}")
            return
        self.notes.add(note)
        if state is not None and size > state[0]:
            self.problems.append(f"checkpoint at size {size} while .state/treeState was at {state[0]}")

    def stop(self):
        self._halt.set()
        self.join()
        self.poll()


# ---- end-of-run checks ---------------------------------------------------------------------

def fsck(binary, root):
    r = subprocess.run([binary, "fsck", "--storage-dir", root, "--vkey", VKEY],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return r.returncode, r.stdout.strip()


def check_log(binary, root, acked, notes, final_published=True):
    """The promises, checked on the files: fsck passes; the checkpoint covers treeState (after a
    clean shutdown); every acknowledged entry (index -> bytes) is at its index with those bytes;
    every checkpoint seen is validly signed and a prefix of the final tree. Returns problems."""
    problems = []
    code, out = fsck(binary, root)
    if code != 0:
        problems.append(f"fsck exit {code}: {out[-400:]}")
    state = read_tree_state(root)
    if state is None:
        return problems + ["no readable .state/treeState"]
    size = state[0]
    note = read_checkpoint(root)
    if final_published and (note is None or parse_checkpoint(note)[0] != size):
        problems.append(f"after a clean shutdown the checkpoint ({note and parse_checkpoint(note)[0]}) does not cover treeState ({size})")
    try:
        entries = read_entries(root, size)
    except RuntimeError as e:
        return problems + [str(e)]
    for index, data in sorted(acked.items()):
        if index >= size:
            problems.append(f"acknowledged index {index} is beyond the log (size {size})")
        elif entries[index] != data:
            problems.append(f"entry {index} differs from what was acknowledged")
    hashes = [leaf_hash(e) for e in entries]
    roots = {}
    for n in sorted({parse_checkpoint(x)[0] for x in notes}):
        if n <= size:
            roots[n] = base64.b64encode(merkle_root(hashes[:n])).decode()
    for x in notes:
        n, root_hash, _ = parse_checkpoint(x)
        if n > size:
            problems.append(f"a checkpoint at size {n} was published, but the log has only {size}")
        elif roots[n] != root_hash:
            problems.append(f"the checkpoint seen at size {n} is not a prefix of the final log")
        elif not verify_note(x):
            problems.append(f"the checkpoint seen at size {n} has no valid signature")
    return problems


def acked_entries(answers, problems):
    """index -> the entry bytes each 201 commits the log to, derived from the request the test
    posted (canonical_body), never taken from the server's answer. A 201 whose canonicalizedBody
    is not that body, and two 201s for one index, are problems."""
    acked = {}
    for a in answers:
        if a.status == 201:
            expected = canonical_body(a.body)
            if a.canonical != expected:
                problems.append(f"the 201 for index {a.index} carries a canonicalizedBody that is not the body of its request")
            if a.index in acked and acked[a.index] != expected:
                problems.append(f"index {a.index} acknowledged for two different entries")
            acked[a.index] = expected
    return acked


# ---- the canonical body of a request, derived here (rekor-v2-api.md §2.1, §3) ----------------

# PublicKeyDetails by number (Appendix A), for a request that gives the enum as a number.
_KEY_DETAILS = {5: "PKIX_ECDSA_P256_SHA_256", 8: "PKIX_ED25519_PH", 9: "PKIX_RSA_PKCS1V15_2048_SHA256",
                10: "PKIX_RSA_PKCS1V15_3072_SHA256", 11: "PKIX_RSA_PKCS1V15_4096_SHA256",
                12: "PKIX_ECDSA_P384_SHA_384", 13: "PKIX_ECDSA_P521_SHA_512", 16: "PKIX_RSA_PSS_2048_SHA256",
                17: "PKIX_RSA_PSS_3072_SHA256", 18: "PKIX_RSA_PSS_4096_SHA256", 19: "PKIX_ECDSA_P384_SHA_256",
                20: "PKIX_ECDSA_P521_SHA_256"}
# data.algorithm follows from keyDetails alone (§2.3 step 6), never from the key.
_SHA384 = ("PKIX_ECDSA_P384_SHA_384",)
_SHA512 = ("PKIX_ECDSA_P521_SHA_512", "PKIX_ED25519_PH")


def _field(message, json_name, proto_name):
    """A field given by its JSON name or its proto name (protojson takes both)."""
    return message[json_name] if json_name in message else message.get(proto_name)


def _bytes(text):
    """A protojson bytes field (standard or URL-safe base64, padded or not) as the server writes
    it back: standard base64 with padding."""
    raw = base64.urlsafe_b64decode(text.replace("+", "-").replace("/", "_") + "=" * (-len(text) % 4))
    return base64.b64encode(raw).decode()


def _jcs(value):
    """RFC 8785 for what an entry holds (objects of strings): no whitespace, keys in UTF-16 order."""
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + _jcs(value[k]) for k in keys) + "}"
    return json.dumps(value, ensure_ascii=False)


def canonical_body(request):
    """The leaf a hashedrekord v0.0.2 request (JSON text) must become: the Entry of §3.1 as
    protojson (lowerCamelCase names, enums by name, bytes as padded standard base64, unset
    fields left out), canonicalized by RFC 8785. Worked out here from the request alone."""
    rekord = _field(json.loads(request), "hashedRekordRequestV002", "hashed_rekord_request_v002")
    signature = rekord["signature"]
    verifier = signature["verifier"]
    details = _field(verifier, "keyDetails", "key_details")
    details = _KEY_DETAILS[details] if isinstance(details, int) else details
    algorithm = "SHA2_384" if details in _SHA384 else "SHA2_512" if details in _SHA512 else "SHA2_256"
    key = _field(verifier, "publicKey", "public_key")
    material = ("publicKey", key) if key is not None else ("x509Certificate", _field(verifier, "x509Certificate", "x509_certificate"))
    entry = {"apiVersion": "0.0.2", "kind": "hashedrekord", "spec": {"hashedRekordV002": {
        "data": {"algorithm": algorithm, "digest": _bytes(rekord["digest"])},
        "signature": {"content": _bytes(signature["content"]), "verifier": {
            "keyDetails": details, material[0]: {"rawBytes": _bytes(_field(material[1], "rawBytes", "raw_bytes"))}}}}}}
    return _jcs(entry).encode()


def _worked_example_holds():
    """The §3.3 worked example, sent as sigstore-go does and in other spellings protojson takes,
    gives the spec's 489 bytes: the derivation is pinned to the spec, not to the server."""
    digest = "dyj4ednYHjN4/zsjjBeeLahS9slp97Z67LTAVxjrjXw="
    sig = "MEQCIB+YPa9o3SN0sQ4uduGf+mZxwFfOhFZ0Cgy+p7Vt1o2SAiAPFDHqOAJLYmvtCWOsDyNY1H4V3zm4NEDYs3NyvHh1Pg=="
    pub = ("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2slOf8eZcj2moW2t4UFj7vCL6QpDzkDqqSUmm4OJCVvIauKLxm0aGs3VMPPfauMPaMutn0"
           "/s3jg0rroFxoicyg==")
    expected = (b'{"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"hashedRekordV002":{"data":{"algorithm":"SHA2_256",'
                b'"digest":"dyj4ednYHjN4/zsjjBeeLahS9slp97Z67LTAVxjrjXw="},"signature":{"content":"MEQCIB+YPa9o3SN0sQ4uduGf+mZx'
                b'wFfOhFZ0Cgy+p7Vt1o2SAiAPFDHqOAJLYmvtCWOsDyNY1H4V3zm4NEDYs3NyvHh1Pg==","verifier":{"keyDetails":"PKIX_ECDSA_'
                b'P256_SHA_256","publicKey":{"rawBytes":"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2slOf8eZcj2moW2t4UFj7vCL6QpDzkDqqSU'
                b'mm4OJCVvIauKLxm0aGs3VMPPfauMPaMutn0/s3jg0rroFxoicyg=="}}}}}}')
    plain = json.dumps({"hashedRekordRequestV002": {"digest": digest, "signature": {"content": sig, "verifier": {
        "publicKey": {"rawBytes": pub}, "keyDetails": "PKIX_ECDSA_P256_SHA_256"}}}})
    urlsafe = lambda b: b.replace("+", "-").replace("/", "_").rstrip("=")
    other = json.dumps({"hashed_rekord_request_v002": {"signature": {"verifier": {"key_details": 5, "public_key": {
        "raw_bytes": urlsafe(pub)}}, "content": urlsafe(sig)}, "digest": urlsafe(digest)}}, indent=1)
    return len(expected) == 489 and canonical_body(plain) == expected and canonical_body(other) == expected


if not _worked_example_holds():
    raise RuntimeError("rlib.canonical_body does not give the worked example of rekor-v2-api.md §3.3")


# ---- durability model fed by strace output -------------------------------------------------

_CALL = re.compile(r"^(\d+)\s+(?:<\.\.\. (\w+) resumed>|(\w+)\()(.*)$")
_FD = re.compile(r"^-?\d+<(.*)>$")
# strace pads the result column with spaces.
_RESULT = re.compile(r"\)\s*= ")


def _unescape(s):
    out = bytearray()
    i = 0
    simple = {"n": 10, "t": 9, "r": 13, "v": 11, "f": 12, '"': 34, "\\": 92, "a": 7, "b": 8}
    while i < len(s):
        c = s[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        i += 1
        c = s[i]
        if c in simple:
            out.append(simple[c])
            i += 1
        elif c == "x":
            out.append(int(s[i + 1:i + 3], 16))
            i += 3
        else:
            j = i
            while j < len(s) and j < i + 3 and s[j] in "01234567":
                j += 1
            out.append(int(s[i:j], 8))
            i = j
    return bytes(out)


def _split_args(text):
    """Top-level arguments of a strace call: quoted strings come back as bytes, the rest as text."""
    args, i, n = [], 0, len(text)
    while i < n:
        while i < n and text[i] == " ":
            i += 1
        if i < n and text[i] == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            args.append(_unescape(text[i + 1:j]))
            i = j + 1
            if text.startswith("...", i):
                i += 3
        else:
            depth, j = 0, i
            while j < n and not (depth == 0 and text[j] == ","):
                if text[j] in "<[{(":
                    depth += 1
                elif text[j] in ">]})":
                    depth -= 1
                j += 1
            args.append(text[i:j].strip())
            i = j
        while i < n and text[i] in ", ":
            i += 1
    return args


class Durability:
    """Replays strace -f -y output of the server and checks the ordering promises as if power
    could fail after any call: a file is renamed into place only after its data was fsynced;
    `.state/treeState` at size S is renamed only when every bundle and tile S implies (and each
    directory made for them) is durable; a checkpoint at size C is renamed only when a treeState
    of size >= C is durable. A rename is durable once an fsync of its directory that started
    after it returned 0. Everything that existed before the trace counts as durable."""

    def __init__(self, root, base_size):
        self.root = os.path.realpath(root)
        self.durable_size = base_size        # surely-durable treeState size
        self.tree_states = []                # [(size, dirent)] renamed in the trace
        self.content = {}                    # path -> {"data", "written", "synced"}
        self.dirents = {}                    # path -> {"done", "durable"} for renames, links, mkdirs
        self.pending = {}                    # dir -> [path] whose dirent awaits an fsync of dir
        self.problems = []
        self.injected = 0
        self.killed = False
        self.seq = 0

    def rel(self, path):
        if path.startswith(self.root + "/"):
            return path[len(self.root) + 1:]
        return None

    def feed(self, trace_file, required=False):
        """Replays one strace output file; a missing `required` one is a problem (no record, no
        check), a missing optional one (a restart that did not happen) is skipped."""
        open_calls = {}
        try:
            lines = open(trace_file, errors="replace").read().splitlines()
        except OSError as e:
            if required:
                self.problems.append(f"no strace record to replay: {e}")
            return
        if required and not lines:
            self.problems.append(f"the strace record {trace_file} is empty")
        for line in lines:
            self.seq += 1
            if "+++ killed by SIGKILL" in line:
                self.killed = True
            m = _CALL.match(line)
            if not m:
                continue
            pid, resumed, name, rest = m.group(1), m.group(2), m.group(3), m.group(4)
            if resumed:
                start = open_calls.pop(pid, None)
                if start is None:
                    continue
                name, entry, head = start
                rest = head + rest
            else:
                entry = self.seq
            if rest.endswith("<unfinished ...>"):
                open_calls[pid] = (name, entry, rest[: -len("<unfinished ...>")].rstrip())
                continue
            ends = list(_RESULT.finditer(rest))
            if not ends:
                continue
            k = ends[-1].start()
            result = rest[ends[-1].end():]
            if "(INJECTED)" in result:
                self.injected += 1
            ok = result.startswith("0") or (result[:1].isdigit() and not result.startswith("-"))
            if result.startswith("?"):
                ok = None  # killed inside the call: its effect may or may not have happened
            self.apply(name, _split_args(rest[:k]), result, ok, entry, self.seq)

    def apply(self, name, args, result, ok, entry, done):
        if name in ("openat", "open", "creat"):
            path = args[1] if name == "openat" else args[0]
            if ok and isinstance(path, bytes):
                p = path.decode(errors="replace")
                flags = args[2] if name == "openat" else (args[1] if len(args) > 1 else "")
                if "O_CREAT" in str(flags) and "O_EXCL" in str(flags):
                    self.content[p] = {"data": b"", "written": done, "synced": None}
        elif name in ("pwrite64", "write"):
            p = self.fd_path(args[0])
            if ok and p in self.content and isinstance(args[1], bytes):
                c = self.content[p]
                c["data"] = args[1] if name == "write" or args[-1] == "0" or c["data"] is None else c["data"] + args[1]
                c["written"] = done
                c["synced"] = None
        elif name in ("fsync", "fdatasync"):
            p = self.fd_path(args[0])
            if not ok or p is None:
                return
            if p in self.content:
                c = self.content[p]
                if c["written"] < entry:
                    c["synced"] = done
            else:
                still = []
                for child in self.pending.pop(p, []):
                    d = self.dirents.get(child)
                    if d is not None and d["done"] < entry:
                        d["durable"] = done
                    else:
                        still.append(child)
                if still:
                    self.pending[p] = still
        elif name in ("rename", "renameat", "renameat2", "link", "linkat"):
            src, dst = [a.decode(errors="replace") for a in args if isinstance(a, bytes)][:2]
            if ok is False:
                return
            r = self.rel(dst)
            if r is None:
                return
            c = self.content.get(src)
            if c is not None and not r.startswith(".state/antispam"):
                if c["synced"] is None or c["synced"] > entry:
                    self.problems.append(f"{r} was renamed into place before its data was fsynced")
            # A temp file written before the trace began: durable, of unknown content.
            moved = dict(c) if c else {"data": None, "written": 0, "synced": 0}
            if name.startswith("rename"):
                self.content.pop(src, None)
            self.content[dst] = moved
            self.dirents[dst] = {"done": done, "durable": None}
            self.pending.setdefault(os.path.dirname(dst), []).append(dst)
            if moved["data"] is None:
                pass
            elif r == ".state/treeState":
                self.on_tree_state(moved, dst, entry)
            elif r == "checkpoint":
                self.on_checkpoint(moved, done)
        elif name in ("mkdir", "mkdirat"):
            path = next((a for a in args if isinstance(a, bytes)), None)
            if ok and path is not None:
                p = path.decode(errors="replace")
                self.dirents[p] = {"done": done, "durable": None}
                self.pending.setdefault(os.path.dirname(p), []).append(p)

    def fd_path(self, arg):
        m = _FD.match(arg) if isinstance(arg, str) else None
        return m.group(1) if m else None

    def durable_by(self, path, seq):
        """True when `path` (if renamed or made in the trace) and each directory above it made in
        the trace were durable before `seq`."""
        p = path
        while p.startswith(self.root + "/"):
            d = self.dirents.get(p)
            if d is not None and (d["durable"] is None or d["durable"] > seq):
                return False
            c = self.content.get(p) if p == path else None
            if c is not None and (c["synced"] is None or c["synced"] > seq):
                return False
            p = os.path.dirname(p)
        return True

    def on_tree_state(self, content, path, entry):
        try:
            size = json.loads(content["data"])["size"]
        except (ValueError, KeyError, TypeError):
            self.problems.append(f"treeState renamed with unreadable data {content['data'][:80]!r}")
            return
        for rel in implied_paths(size):
            full = os.path.join(self.root, rel)
            if not self.durable_by(full, entry):
                self.problems.append(f".state/treeState at size {size} was renamed before {rel} was durable")
                break
        self.tree_states.append((size, self.dirents[path]))

    def on_checkpoint(self, content, done):
        try:
            size = int(content["data"].split(b"\n")[1])
        except (ValueError, IndexError):
            self.problems.append(f"checkpoint renamed with unreadable data {content['data'][:80]!r}")
            return
        durable = self.durable_size
        for s, d in self.tree_states:
            if d["durable"] is not None and d["durable"] < done:
                durable = max(durable, s)
        if size > durable:
            self.problems.append(
                f"checkpoint at size {size} was renamed into place while the durable treeState was at {durable}")
