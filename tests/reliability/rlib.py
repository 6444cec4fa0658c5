"""Shared pieces of the reliability scripts (faults.py, diskfull.py, twoprocs.py, and
tests/cloud/faults.py for the aws flavour): signed request bodies, a server process, a concurrent
client and a sustained load of retrying clients, a checkpoint watcher, the log read back from its
files or from the cloud rig's bucket and database (entries, RFC 6962 roots), the end-of-run checks,
and a durability model fed by strace.

Standard library only, plus the openssl command line (checkpoint signatures; one check of the
in-process request signer) and, for the cloud rig, the mariadb client (the aws flavour's database)
or the Spanner emulator's REST gateway (the gcp flavour's)."""

import atexit
import base64
import calendar
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
import urllib.error
import urllib.request

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

# P-256 (FIPS 186-4 D.1.2.3): the clients' signatures are made here, in-process, because a
# process or three per body (the openssl command line) made body generation the slow part of a run.
_P256_P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffff
_P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551
_P256_G = (0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296,
           0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5)
# DER SubjectPublicKeyInfo up to the uncompressed point: id-ecPublicKey, prime256v1, BIT STRING.
_P256_SPKI = bytes.fromhex("3059301306072a8648ce3d020106082a8648ce3d030107034200")
_P256_TABLE = []  # 2^i * G in affine coordinates, i = 0..255, made on first use


def _p256_double(x, y, z):
    """Jacobian doubling for a = -3."""
    p = _P256_P
    if not y:
        return 0, 1, 0
    zz = z * z % p
    m = 3 * (x - zz) * (x + zz) % p
    yy = y * y % p
    s = 4 * x * yy % p
    nx = (m * m - 2 * s) % p
    return nx, (m * (s - nx) - 8 * yy * yy) % p, 2 * y * z % p


def _p256_add_affine(x1, y1, z1, x2, y2):
    """Jacobian (x1, y1, z1) plus affine (x2, y2)."""
    p = _P256_P
    if not z1:
        return x2, y2, 1
    zz = z1 * z1 % p
    u2 = x2 * zz % p
    s2 = y2 * zz * z1 % p
    h = (u2 - x1) % p
    r = (s2 - y1) % p
    if not h:
        return _p256_double(x1, y1, z1) if not r else (0, 1, 0)
    hh = h * h % p
    hhh = h * hh % p
    v = x1 * hh % p
    nx = (r * r - hhh - 2 * v) % p
    return nx, (r * (v - nx) - y1 * hhh) % p, z1 * h % p


def _p256_base_mul(k):
    """k * G in affine coordinates, from the table of doublings of G."""
    if not _P256_TABLE:
        x, y = _P256_G
        for _ in range(256):
            _P256_TABLE.append((x, y))
            dx, dy, dz = _p256_double(x, y, 1)
            zi = pow(dz, -1, _P256_P)
            x, y = dx * zi * zi % _P256_P, dy * zi * zi * zi % _P256_P
    x, y, z = 0, 1, 0
    for i in range(k.bit_length()):
        if k >> i & 1:
            x, y, z = _p256_add_affine(x, y, z, *_P256_TABLE[i])
    zi = pow(z, -1, _P256_P)
    return x * zi * zi % _P256_P, y * zi * zi * zi % _P256_P


def _der_integer(v):
    raw = v.to_bytes((v.bit_length() + 8) // 8, "big")  # a leading 0 keeps it positive
    return b"\x02" + bytes([len(raw)]) + raw


class P256Key:
    """An ECDSA P-256 key whose signatures are plain ECDSA over SHA-256 with a random nonce, DER
    encoded: what `openssl pkeyutl -sign` gives for a SHA-256 digest."""

    def __init__(self):
        self.d = int.from_bytes(os.urandom(40), "big") % (_P256_N - 1) + 1
        x, y = _p256_base_mul(self.d)
        self.spki = _P256_SPKI + b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")

    def sign_digest(self, digest):
        e = int.from_bytes(digest, "big")
        while True:
            k = int.from_bytes(os.urandom(40), "big") % (_P256_N - 1) + 1
            r = _p256_base_mul(k)[0] % _P256_N
            s = pow(k, -1, _P256_N) * (e + r * self.d) % _P256_N
            if r and s:
                body = _der_integer(r) + _der_integer(s)
                return b"\x30" + bytes([len(body)]) + body

    def pem(self):
        b64 = base64.b64encode(self.spki).decode()
        return "-----BEGIN PUBLIC KEY-----\n" + "\n".join(b64[i:i + 64] for i in range(0, len(b64), 64)) + "\n-----END PUBLIC KEY-----\n"


def _openssl_verifies(key, digest, signature):
    """The signer checked against another implementation (once per make_bodies)."""
    with tempfile.TemporaryDirectory() as d:
        for name, data in (("pub.pem", key.pem().encode()), ("digest", digest), ("sig", signature)):
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", os.path.join(d, "pub.pem"),
                            "-in", os.path.join(d, "digest"), "-sigfile", os.path.join(d, "sig")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode == 0


def make_bodies(workdir, count, tag="bodies"):
    """`count` valid hashedrekord v0.0.2 request bodies (one P-256 public key, one signature per
    artifact, each artifact unique), made once and cached in workdir. The first signature is
    checked with openssl before any body is written."""
    path = os.path.join(workdir, f"{tag}-{count}.jsonl")
    if not os.path.exists(path):
        key = P256Key()
        pub = base64.b64encode(key.spki).decode()
        run = os.urandom(6).hex()
        lines = []
        for i in range(1, count + 1):
            digest = hashlib.sha256(f"{tag} artifact {i} {run}\n".encode()).digest()
            signature = key.sign_digest(digest)
            if i == 1 and not _openssl_verifies(key, digest, signature):
                raise RuntimeError("openssl rejects a P-256 signature made by rlib.P256Key")
            lines.append(json.dumps({"hashedRekordRequestV002": {
                "digest": base64.b64encode(digest).decode(),
                "signature": {"content": base64.b64encode(signature).decode(),
                              "verifier": {"publicKey": {"rawBytes": pub}, "keyDetails": "PKIX_ECDSA_P256_SHA_256"}}}},
                separators=(",", ":")))
        with open(path + ".part", "w") as out:
            out.write("\n".join(lines) + "\n")
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
    """One `serve` process on `storage` (a log directory, or a Cloud: the aws flavour on the cloud
    rig), optionally under strace (`strace_args`: everything between `strace` and the command).
    Ports are picked free; a lost race for a port is retried. Started again after it ended (a
    kill), the same object keeps its ports, so that clients find it where it was."""

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
        self.metrics_port = None
        self._ports = None

    def argv(self):
        if self._ports is None:
            ports = set()
            while len(ports) < 4:  # the kernel may hand out a port it just gave back
                ports.add(free_port())
            self._ports = list(ports)
        self.port, grpc, self.metrics_port, tiles = self._ports
        storage = ["--storage-dir", self.storage] if isinstance(self.storage, str) else self.storage.serve_args()
        args = [self.binary, "serve"] + storage + ["--signer-filepath", self.key,
                "--hostname", self.origin, "--http-port", str(self.port), "--grpc-port", str(grpc),
                "--http-metrics-port", str(self.metrics_port), "--tiles-port", str(tiles),
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
            self._ports = None
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

    def metric(self, name):
        """The value of an unlabelled Prometheus sample of this process, or None."""
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.metrics_port, timeout=5)
            c.request("GET", "/metrics")
            text = c.getresponse().read().decode(errors="replace")
            c.close()
        except (OSError, http.client.HTTPException):
            return None
        m = re.search(r"^" + re.escape(name) + r" (\S+)$", text, re.M)
        return float(m.group(1)) if m else None


def run_scenarios(title, scenarios, run):
    """Runs each (name, scenario, chunk) of `scenarios` through `run(scenario, name, chunk)`,
    which returns (problems, summary); kills what a scenario left running; prints one PASS or FAIL
    line per scenario (with its first problems). Returns how many failed."""
    failed = 0
    for name, scenario, chunk in scenarios:
        started = time.time()
        try:
            problems, summary = run(scenario, name, chunk)
        except Exception as e:  # the harness failed: report and go on
            problems, summary = [f"{type(e).__name__}: {e}"], "harness error"
        finally:
            kill_all()
        took = f"{time.time() - started:.0f} s"
        if problems:
            failed += 1
            print(f"FAIL {title}: {name} ({summary}; {took})")
            for pr in problems[:10]:
                print("    " + pr)
        else:
            print(f"PASS {title}: {name} ({summary}; {took})")
    return failed


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
    __slots__ = ("body", "status", "index", "canonical", "envelope", "error", "dup_index", "when", "sent", "port")

    def __init__(self, body):
        self.body = body
        self.status = 0          # 0: no answer (connection refused or reset, client timeout)
        self.index = None        # 201: logIndex
        self.canonical = None    # 201: canonicalizedBody (bytes)
        self.envelope = None     # 201: the checkpoint of the inclusion proof
        self.error = None
        self.dup_index = None    # 409: X-Log-Index
        self.when = None         # when the answer came (set by callers that need it)
        self.sent = None         # when the request was sent (Load)
        self.port = None         # which server it went to (Load)


def post_one(conn, a):
    """POSTs a.body on `conn` and fills in the Answer `a`; False when the connection is no
    longer usable (no answer: a.status 0)."""
    try:
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
        return True
    except (OSError, http.client.HTTPException, ValueError, KeyError, TypeError) as e:
        a.status = 0
        a.error = f"{type(e).__name__}: {e}"
        return False


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
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            a = answers[i]
            a.port, a.sent = port, time.time()
            usable = post_one(conn, a)
            a.when = time.time()
            if not usable:
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


class Load:
    """Sustained writes from `clients` threads that behave like clients which retry: each posts
    fresh bodies one after another to `servers` (Server objects, their port read at each attempt,
    so a restarted one is found again); an attempt that fails (a 5xx, or no answer) is repeated
    with the same body after `pause` s until it gets 201 or 409 or the load stops. A refused
    connection (nothing listens: that server is down) is no attempt: the client turns to the next
    server of the list and tries again shortly. Every attempt is kept (`attempts`: Answers with
    sent, when and port), and so are the bodies left unresolved when the load stopped."""

    def __init__(self, servers, bodies, clients=16, pause=0.2, timeout=30):
        self.servers = list(servers)
        self.timeout = timeout
        self.pause = pause
        self.attempts = []
        self.unresolved = []
        self.refused = 0
        self._bodies = iter(bodies)
        self._lock = threading.Lock()
        self._halt = threading.Event()
        self._threads = [threading.Thread(target=self._client, args=(k,), daemon=True) for k in range(clients)]

    def start(self):
        for t in self._threads:
            t.start()
        return self

    def stop(self):
        """Lets every client finish the request it is in, then returns."""
        self._halt.set()
        for t in self._threads:
            t.join()

    def running(self):
        return any(t.is_alive() for t in self._threads)

    def _next_body(self):
        with self._lock:
            return next(self._bodies, None)

    def _client(self, k):
        conn, conn_port, turn, body = None, None, k, None
        while not self._halt.is_set():
            if body is None:
                body = self._next_body()
                if body is None:
                    break
            port = self.servers[turn % len(self.servers)].port
            # Connected here, not by http.client inside the request (as it does after an answer
            # that closed the connection), so that a refusal is told apart from a lost request.
            if conn is None or conn_port != port or conn.sock is None:
                if conn is not None:
                    conn.close()
                conn, conn_port = http.client.HTTPConnection("127.0.0.1", port, timeout=self.timeout), port
                try:
                    conn.connect()
                except OSError:
                    conn = None
                    with self._lock:
                        self.refused += 1
                    turn += 1
                    self._halt.wait(0.05)
                    continue
            a = Answer(body)
            a.port, a.sent = port, time.time()
            usable = post_one(conn, a)
            a.when = time.time()
            with self._lock:
                self.attempts.append(a)
            if not usable:
                conn.close()
                conn = None
            if a.status in (201, 409):
                body = None
            else:
                self._halt.wait(self.pause)
        if conn is not None:
            conn.close()
        if body is not None:
            with self._lock:
                self.unresolved.append(body)

    def answered(self, status=201):
        """The attempts that got `status`, in the order they were answered."""
        return sorted((a for a in self.attempts if a.status == status), key=lambda a: a.when)


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


class Files:
    """A log directory as a store: its files by tlog-tiles path, the checkpoint, treeState's size."""

    tree_name = ".state/treeState"

    def __init__(self, root):
        self.root = root

    def get(self, path):
        try:
            with open(os.path.join(self.root, path), "rb") as f:
                return f.read()
        except OSError:
            return None

    def checkpoint(self):
        return read_checkpoint(self.root)

    def tree_size(self):
        state = read_tree_state(self.root)
        return None if state is None else state[0]


def _store(root):
    return Files(root) if isinstance(root, str) else root


class Cloud:
    """The log of the aws flavour on the cloud rig (tests/cloud/rig.sh; its variables from the
    environment, or from RIG_DIR/rig.env): objects read over plain HTTP from the s3rver bucket
    (which takes anonymous requests; AWS_* serve the server itself), coordination rows read with
    the mariadb client as the server's own database user. `rig(...)` runs rig.sh functions, such as
    rig_stop_mysql kill, on the same rig."""

    tree_name = "IntCoord"

    def __init__(self, env=None):
        env = self._bucket_env(env)
        self.mysql_port = int(env["RIG_MYSQL_PORT"])
        self.dsn = env["RIG_MYSQL_DSN"]
        self._password = env["RIG_MYSQL_PASSWORD"]

    def _bucket_env(self, env):
        """The rig's environment and its bucket on s3rver (read anonymously over HTTP)."""
        env = dict(os.environ if env is None else env)
        self.env = env
        self.rig_dir = env["RIG_DIR"]
        self.bucket = env["RIG_S3_BUCKET"]
        self.s3_port = int(env["RIG_S3_PORT"])
        return env

    def serve_args(self):
        return ["--aws-bucket", self.bucket, "--aws-mysql-dsn", self.dsn]

    def get(self, path, timeout=3, tries=20):
        """The object's bytes, None when there is none (404); OSError when s3rver does not give
        them. s3rver overwrites an object in place (truncate, write, then its metadata), so a read
        that races a write of the checkpoint can be torn: a body whose MD5 is not its ETag, or one
        shorter than its Content-Length (whose connection then hangs until node's keep-alive
        timeout, about 5 s, on this rig). Either is read again, up to `tries` times."""
        problem = None
        for _ in range(tries):
            c = http.client.HTTPConnection("127.0.0.1", self.s3_port, timeout=timeout)
            try:
                c.request("GET", f"/{self.bucket}/{path}")
                r = c.getresponse()
                data = r.read()
            except (http.client.HTTPException, socket.timeout) as e:
                problem = f"{type(e).__name__}: {e}"
                continue
            except OSError as e:
                raise OSError(f"s3rver: {e}") from e
            finally:
                c.close()
            if r.status == 404:
                return None
            if r.status != 200:
                raise OSError(f"s3rver answered {r.status} for {path}: {data[:200]!r}")
            if (r.getheader("ETag") or "").strip('"') == hashlib.md5(data).hexdigest():
                return data
            problem = "its body is not its ETag"
            time.sleep(0.01)
        raise OSError(f"s3rver: no whole read of {path} in {tries} tries ({problem})")

    def checkpoint(self):
        data = self.get("checkpoint")
        return None if data is None else data.decode()

    def query(self, sql, timeout=10):
        """Rows (lists of text fields) of `sql` in the log's database; OSError when it fails."""
        env = dict(os.environ, MYSQL_PWD=self._password)
        try:
            r = subprocess.run(["mariadb", "--no-defaults", "--protocol=tcp", "-h", "127.0.0.1", "-P", str(self.mysql_port),
                                "-u", "rekor", "-N", "-B", "--connect-timeout=5", "-e", sql, "sequencer"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            raise OSError(f"mariadb: {sql}: no answer in {timeout} s") from e
        if r.returncode != 0:
            raise OSError(f"mariadb: {sql}: {r.stderr.strip()[:200]}")
        return [line.split("\t") for line in r.stdout.splitlines()]

    def tree_size(self):
        return int(self.query("SELECT seq FROM IntCoord WHERE id = 0")[0][0])

    def pending(self):
        """Sequenced entries not yet integrated (SeqCoord.next - IntCoord.seq); OSError when unread."""
        (nxt,), (seq,) = self.query("SELECT next FROM SeqCoord WHERE id = 0; SELECT seq FROM IntCoord WHERE id = 0")
        return int(nxt) - int(seq)

    def publication(self):
        """PubCoord as (publishedAt in seconds, size); OSError when unread."""
        at, size = self.query("SELECT publishedAt, size FROM PubCoord WHERE id = 0")[0]
        return float(at), int(size)

    def antispam_followed(self):
        """The antispam follower's next index; OSError when unread."""
        return int(self.query("SELECT nextIdx FROM AntispamFollowCoord WHERE id = 0")[0][0])

    def fsck_args(self):
        return ["--aws-bucket", self.bucket, "--aws-mysql-dsn", self.dsn]

    def fsck(self, binary):
        r = subprocess.run([binary, "fsck"] + self.fsck_args() + ["--vkey", VKEY],
                           env=dict(os.environ, **{k: v for k, v in self.env.items() if k.startswith("AWS_")}),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return r.returncode, r.stdout.strip()

    def rig(self, command, timeout=120):
        """Runs `command` (rig.sh functions) in bash on this rig; (exit code, output)."""
        script = (f'source "{os.path.join(REPO, "tests", "cloud", "rig.sh")}" && source "$1/rig.env" && ' + command)
        r = subprocess.run(["bash", "-c", script, "rig", self.rig_dir], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=timeout)
        return r.returncode, r.stdout.strip()



class SpannerCloud(Cloud):
    """The log of the gcp flavour: its bucket on the cloud rig's s3rver (the server writes it by the
    GCS_HMAC_* XML path; read here like the aws flavour's) and its coordination rows in the Spanner
    emulator (tests/gcp/emulator.sh, GCP_RIG_* from the environment), read with single-use strong
    reads over the emulator's REST gateway, which an active read-write transaction does not block."""

    def __init__(self, env=None):
        env = self._bucket_env(env)
        self.rest = env["GCP_RIG_REST"]
        self.database = env["GCP_RIG_SPANNER"]
        self._sessions = {}

    def serve_args(self):
        return ["--gcp-bucket", self.bucket, "--gcp-spanner", self.database]

    fsck_args = serve_args

    def _post(self, path, doc, timeout):
        req = urllib.request.Request(f"{self.rest}/v1/{path}", data=json.dumps(doc).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read())
        except urllib.error.HTTPError as e:
            raise OSError(f"spanner emulator: {path}: {e.code} {e.read()[:200]!r}") from e
        except (urllib.error.URLError, socket.timeout, ConnectionError) as e:
            raise OSError(f"spanner emulator: {path}: {e}") from e

    def query(self, sql, timeout=10, database=None):
        """Rows (lists of Spanner's JSON values: INT64 as text) of one statement; OSError when it fails."""
        database = database or self.database
        if database not in self._sessions:
            self._sessions[database] = self._post(f"{database}/sessions", {}, timeout)["name"]
        try:
            return self._post(f"{self._sessions[database]}:executeSql", {"sql": sql}, timeout).get("rows", [])
        except OSError:
            self._sessions.pop(database, None)  # gone with a restarted emulator: a new one next time
            raise

    def pending(self):
        (nxt,), (seq,) = (self.query("SELECT next FROM SeqCoord WHERE id = 0")[0],
                          self.query("SELECT seq FROM IntCoord WHERE id = 0")[0])
        return int(nxt) - int(seq)

    def publication(self):
        at, size = self.query("SELECT publishedAt, size FROM PubCoord WHERE id = 0")[0]
        # RFC 3339 UTC with up to 9 fractional digits; microseconds are enough here.
        whole, _, frac = at.rstrip("Z").partition(".")
        t = calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S"))
        return t + float("0." + (frac or "0")), int(size)

    def antispam_followed(self):
        return int(self.query("SELECT nextIdx FROM FollowCoord WHERE id = 0", database=self.database + "-antispam")[0][0])

    def fsck(self, binary):
        r = subprocess.run([binary, "fsck"] + self.fsck_args() + ["--vkey", VKEY], env=os.environ,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        return r.returncode, r.stdout.strip()


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
    """The first `size` entries, read from the bundles (partial with full fallback, trimmed) of a
    log directory or another store (Files, Cloud)."""
    store = _store(root)
    out = []
    for bundle in range((size + TILE_WIDTH - 1) // TILE_WIDTH):
        width = min(TILE_WIDTH, size - bundle * TILE_WIDTH)
        data = None
        for p in (tile_path(0, bundle, width, True), tile_path(0, bundle, TILE_WIDTH, True)):
            data = store.get(p)
            if data is not None:
                break
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
    """Polls `checkpoint` and then the integrated size (`.state/treeState`, or IntCoord of a
    Cloud): every checkpoint seen is kept (with when it was first seen, in `seen`), and one whose
    size exceeds the integrated size read just after it is a violation (that size only grows).
    A store that does not answer (a Cloud rig's server is down) is skipped that round."""

    def __init__(self, root, period=0.005):
        super().__init__(daemon=True)
        self.store = _store(root)
        self.seen = {}
        self.period = period
        self.notes = set()
        self.problems = []
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            self.poll()
            time.sleep(self.period)

    def poll(self):
        try:
            note = self.store.checkpoint()
            state = self.store.tree_size()
        except OSError:
            return
        if note is None:
            return
        try:
            size = parse_checkpoint(note)[0]
        except (ValueError, IndexError):
            self.problems.append(f"unparsable checkpoint: {note[:80]!r}")
            return
        self.notes.add(note)
        self.seen.setdefault(note, time.time())
        if state is not None and size > state:
            self.problems.append(f"checkpoint at size {size} while {self.store.tree_name} was at {state}")

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
    return problems + check_contents(Files(root), state[0], acked, notes, final_published)


def check_cloud_log(binary, cloud, acked, notes, final_published=True):
    """check_log for the aws flavour's log on the cloud rig: fsck of the bucket and database,
    then the same promises, with IntCoord as the integrated size."""
    problems = []
    code, out = cloud.fsck(binary)
    if code != 0:
        problems.append(f"fsck exit {code}: {out[-400:]}")
    try:
        size = cloud.tree_size()
    except OSError as e:
        return problems + [f"IntCoord unreadable: {e}"]
    return problems + check_contents(cloud, size, acked, notes, final_published)


def check_contents(store, size, acked, notes, final_published=True):
    """Every acknowledged entry is at its index in the first `size` entries of `store` with its
    bytes; the checkpoint covers `size` (after a clean shutdown); every checkpoint seen is validly
    signed and a prefix of that tree. Returns problems."""
    problems = []
    try:
        note = store.checkpoint()
        entries = read_entries(store, size)
    except (RuntimeError, OSError) as e:
        return problems + [str(e)]
    if final_published and (note is None or parse_checkpoint(note)[0] != size):
        problems.append(f"after a clean shutdown the checkpoint ({note and parse_checkpoint(note)[0]}) does not cover {store.tree_name} ({size})")
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


def check_409s(root, answers, size=None):
    """Each 409 among `answers` names (X-Log-Index) an index that holds that very entry (the
    request's digest and signature), in the log directory or store `root` (its first `size`
    entries; default: all it has integrated). Returns problems."""
    dups = [a for a in answers if a.status == 409]
    if not dups:
        return []
    store = _store(root)
    try:
        entries = read_entries(store, store.tree_size() if size is None else size)
    except (RuntimeError, OSError, TypeError) as e:
        return [f"the log could not be read to check the 409s: {e}"]
    problems = []
    for a in dups:
        req = json.loads(a.body)["hashedRekordRequestV002"]
        if a.dup_index >= len(entries):
            problems.append(f"409 names index {a.dup_index}, beyond the log")
            continue
        entry = json.loads(entries[a.dup_index])["spec"]["hashedRekordV002"]
        if entry["data"]["digest"] != req["digest"] or entry["signature"]["content"] != req["signature"]["content"]:
            problems.append(f"409 names index {a.dup_index}, which holds another entry")
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
