#!/usr/bin/env python3
"""Several processes on one log directory, as tessera supports it: flock(treeState.lock)
serialises integration, flock(publish.lock) and the checkpoint's mtime pace publication, and
every process re-reads treeState inside the lock.

  together   two `serve` processes and an `add` append to the same directory at once, each
             with its own entries, plus the same entries sent to both servers (dedup across
             processes is best effort: the shared SQLite index catches a repeat once indexed);
  restarts   while one server takes entries, a second one is started and stopped five times
             (its start-up sweep of temp files must not break the first one's publication);
  read-only  a `serve --read-only` beside a writer answers writes 405 and changes nothing;
  mismatch   a second `serve` with another key, or another --hostname, is refused at start
             with a message naming the flag, and the first one carries on;
  freeze     `freeze` beside a writer under load either refuses (a batch holds the lock) or
             freezes the log; after that the writer never grows the log or publishes again,
             everything acknowledged is in the frozen checkpoint, and a writer refuses to start.

Checked: every answer is 201 (or 409 naming that very entry); no index is given twice; no
warning or error in any process's log; no checkpoint ahead of treeState (watched, and by
replaying one strace of all writers as if power could fail after any call); after a clean stop
fsck passes, every acknowledged entry is at its index with its bytes, every checkpoint seen is
signed and a prefix of the final log; the directory opens again."""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rlib  # noqa: E402

TRACED = ["-y", "-s", "256", "-e", "trace=openat,pwrite64,fsync,fdatasync,rename,link,mkdir"]


def quiet_problems(name, server):
    """Warnings and errors a healthy run must not log (read-only mode announces itself as one)."""
    out = []
    for line in server.output().splitlines():
        if line.startswith("warn: RekorPosix[209] Read-only mode"):
            continue
        if line.startswith(("warn:", "fail:", "crit:")) or "Unhandled exception" in line:
            out.append(f"{name} logged: {line[:300]}")
    return out[:5]


def start_add(binary, log):
    """`add --stdin-lines`, waiting for its lines."""
    proc = subprocess.Popen([binary, "add", "--storage-dir", log, "--signer-filepath", rlib.KEY_PEM,
                             "--hostname", rlib.ORIGIN, "--stdin-lines", "--checkpoint-interval", "100ms",
                             "--batch-max-size", "8", "--batch-max-age", "5ms"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rlib._live.add(proc)
    return proc


def feed_add(proc, lines):
    """Feeds `add` its lines; returns (exit code, {index: bytes sent}, stderr, problems). An echo
    only names which sent line an index holds: the bytes expected are the ones sent, and an echo
    of a line never sent, or of one line twice, is a problem."""
    out, err = proc.communicate("".join(line + "\n" for line in lines), timeout=300)
    sent = {line: line.encode() for line in lines}
    acked, claimed, problems = {}, set(), []
    for row in out.splitlines():
        index, _, line = row.partition("\t")
        if not index.isdigit():
            continue
        if line not in sent or line in claimed:
            problems.append(f"add gave index {index} to {line!r}, {'never sent' if line not in sent else 'acknowledged before'}")
            continue
        claimed.add(line)
        acked[int(index)] = sent[line]
    return proc.returncode, acked, err, problems


def together(binary, work, bodies):
    log = os.path.join(work, "together")
    s1 = rlib.Server(binary, log, os.path.join(work, "together-1.log"))
    s2 = rlib.Server(binary, log, os.path.join(work, "together-2.log"))
    if not s1.start() or not s2.start():
        return ["a server did not start: " + s1.output()[-300:] + s2.output()[-300:]], ""
    trace = os.path.join(work, "together.trace")
    adder = start_add(binary, log)
    time.sleep(0.5)  # let add open the log before strace slows it down
    tracer = rlib.attach_strace([s1.server_pid(), s2.server_pid(), adder.pid], TRACED, trace)
    watcher = rlib.Watcher(log)
    watcher.start()
    own1, own2, shared = bodies[:150], bodies[150:300], bodies[300:340]
    lines = [f"add entry {i}" for i in range(150)]
    results = {}
    jobs = [
        threading.Thread(target=lambda: results.__setitem__("s1", rlib.post_all(s1.port, own1 + shared))),
        threading.Thread(target=lambda: results.__setitem__("s2", rlib.post_all(s2.port, own2 + shared))),
        threading.Thread(target=lambda: results.__setitem__("add", feed_add(adder, lines))),
    ]
    for j in jobs:
        j.start()
    for j in jobs:
        j.join()
    problems = []
    answers = results["s1"] + results["s2"]
    for a in answers:
        if a.status not in (201, 409) or (a.status == 409 and a.body not in shared):
            problems.append(f"a request got {a.status or 'no answer'} ({a.error})")
            break
    code, add_acked, add_err, add_problems = results["add"]
    problems += add_problems
    if code != 0 or len(add_acked) != len(lines):
        problems.append(f"add exited {code} with {len(add_acked)} of {len(lines)} indexes: {add_err[-300:]}")
    for name, s in (("serve 1", s1), ("serve 2", s2)):
        if s.stop() != 0:
            problems.append(f"{name} did not stop cleanly")
        problems += quiet_problems(name, s)
    tracer.wait(30)
    watcher.stop()
    problems += watcher.problems
    acked = rlib.acked_entries(answers, problems)
    for index, data in add_acked.items():
        if index in acked:
            problems.append(f"index {index} given to add and to a server")
        acked[index] = data
    problems += rlib.check_409s(log, answers)
    notes = watcher.notes | {a.envelope for a in answers if a.envelope}
    problems += rlib.check_log(binary, log, acked, notes)
    model = rlib.Durability(log, 0)
    model.feed(trace, required=True)
    problems += model.problems
    again = rlib.Server(binary, log, os.path.join(work, "together-3.log"))
    if not again.start() or again.stop() != 0:
        problems.append("the directory did not open again: " + again.output()[-300:])
    both = sum(1 for b in shared if sum(1 for a in answers if a.body == b and a.status == 201) == 2)
    size = rlib.read_tree_state(log)[0]
    summary = (f"2 servers + add: {len(acked)} acknowledged ({len(add_acked)} by add), log size {size}; "
               f"of {len(shared)} entries sent to both servers {len(shared) - both} deduplicated, {both} logged twice; "
               f"{len(watcher.notes)} checkpoints seen")
    return problems, summary


def restarts(binary, work, bodies):
    log = os.path.join(work, "restarts")
    s1 = rlib.Server(binary, log, os.path.join(work, "restarts-1.log"))
    if not s1.start():
        return ["serve did not start: " + s1.output()[-300:]], ""
    watcher = rlib.Watcher(log)
    watcher.start()
    result = {}
    load = threading.Thread(target=lambda: result.__setitem__("a", rlib.post_all(s1.port, bodies, concurrency=4)))
    load.start()
    problems = []
    starts = 0
    while load.is_alive() and starts < 5:
        s2 = rlib.Server(binary, log, os.path.join(work, f"restarts-2.{starts}.log"))
        if not s2.start():
            problems.append("a second serve did not start beside the first: " + s2.output()[-300:])
            break
        starts += 1
        time.sleep(0.3)
        if s2.stop() != 0:
            problems.append("the second serve did not stop cleanly")
        problems += quiet_problems(f"second serve #{starts}", s2)
    load.join()
    if s1.stop() != 0:
        problems.append("serve did not stop cleanly")
    problems += quiet_problems("the first serve", s1)
    watcher.stop()
    problems += watcher.problems
    answers = result["a"]
    if any(a.status != 201 for a in answers):
        problems.append("not every request got 201: " + rlib.status_counts(answers))
    acked = rlib.acked_entries(answers, problems)
    problems += rlib.check_log(binary, log, acked, watcher.notes | {a.envelope for a in answers if a.envelope})
    if starts < 5:
        problems.append(f"the load ended after {starts} starts of the second server; give it more entries")
    return problems, f"a second serve started and stopped {starts} times beside one taking {len(acked)} entries"


def read_only(binary, work, bodies):
    log = os.path.join(work, "readonly")
    writer = rlib.Server(binary, log, os.path.join(work, "readonly-writer.log"))
    if not writer.start():
        return ["serve did not start: " + writer.output()[-300:]], ""
    trace = os.path.join(work, "readonly.trace")
    frozen = rlib.Server(binary, log, os.path.join(work, "readonly-frozen.log"), extra=["--read-only"],
                         strace_args=["-f", "-qq", "-o", trace, "-y", "-e",
                                      "trace=openat,pwrite64,rename,link,mkdir,unlink,unlinkat,rmdir,flock"])
    problems = []
    if not frozen.start():
        return ["serve --read-only did not start beside a writer: " + frozen.output()[-300:]], ""
    written = rlib.post_all(writer.port, bodies[:40])
    refused = rlib.post_all(frozen.port, bodies[40:50])
    if any(a.status != 201 for a in written):
        problems.append("the writer refused entries: " + rlib.status_counts(written))
    if any(a.status != 405 for a in refused):
        problems.append("serve --read-only did not answer 405: " + rlib.status_counts(refused))
    frozen.stop()
    writer.stop()
    root = os.path.realpath(log)
    touched = [line.strip() for line in open(trace, errors="replace")
               if root in line and (("openat(" in line and ("O_WRONLY" in line or "O_RDWR" in line or "O_CREAT" in line))
                                    or any(c in line for c in ("rename(", "link(", "mkdir(", "unlink", "rmdir(", "pwrite64(", "flock(")))]
    if touched:
        problems.append(f"serve --read-only wrote to the log directory: {touched[0][:200]}")
    problems += quiet_problems("the writer", writer) + quiet_problems("serve --read-only", frozen)
    problems += rlib.check_log(binary, log, rlib.acked_entries(written, problems), set())
    return problems, "serve --read-only beside a writer: 405 for writes, no file of the log opened for writing"


def mismatch(binary, work, bodies):
    log = os.path.join(work, "mismatch")
    first = rlib.Server(binary, log, os.path.join(work, "mismatch-1.log"))
    if not first.start():
        return ["serve did not start: " + first.output()[-300:]], ""
    problems = []
    other_key = os.path.join(work, "other-key.pem")
    if os.path.exists(other_key):
        os.remove(other_key)
    subprocess.run([binary, "keygen", "--output", other_key, "--hostname", rlib.ORIGIN],
                   stdout=subprocess.DEVNULL, check=True)
    for what, flag, key, origin in (("another key", "--signer-filepath", other_key, rlib.ORIGIN),
                                    ("another --hostname", "--hostname", rlib.KEY_PEM, "other.example/log")):
        second = rlib.Server(binary, log, os.path.join(work, f"mismatch{flag}.log"), key=key, origin=origin)
        if second.start():
            problems.append(f"a second serve with {what} started on the directory")
            second.stop()
            continue
        said = [line for line in second.output().splitlines() if line.startswith("serve: ")]
        if second.exit_code != 2 or not said or flag not in said[0]:
            problems.append(f"a second serve with {what} exited {second.exit_code} saying {said[:1]}")
    answers = rlib.post_all(first.port, bodies)
    if any(a.status != 201 for a in answers):
        problems.append("the first serve refused entries: " + rlib.status_counts(answers))
    if first.stop() != 0:
        problems.append("the first serve did not stop cleanly")
    problems += quiet_problems("the first serve", first)
    problems += rlib.check_log(binary, log, rlib.acked_entries(answers, problems), set())
    return problems, "a second serve with another key or --hostname is refused at start; the first carries on"


def freeze(binary, work, bodies):
    log = os.path.join(work, "freeze")
    writer = rlib.Server(binary, log, os.path.join(work, "freeze-writer.log"))
    if not writer.start():
        return ["serve did not start: " + writer.output()[-300:]], ""
    watcher = rlib.Watcher(log)
    watcher.start()
    result = {}
    load = threading.Thread(target=lambda: result.__setitem__("a", rlib.post_all(writer.port, bodies, concurrency=4)))
    load.start()
    time.sleep(1.0)
    problems = []
    frozen, refusals = None, 0
    for _ in range(100):
        r = subprocess.run([binary, "freeze", "--storage-dir", log, "--signer-filepath", rlib.KEY_PEM, "--hostname", rlib.ORIGIN],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if r.returncode == 0:
            frozen = rlib.read_checkpoint(log)
            break
        if r.returncode == 1 and "another process holds" in r.stderr:
            refusals += 1
            time.sleep(0.02)
            continue
        problems.append(f"freeze exited {r.returncode}: {r.stderr.strip()[:300]}")
        break
    frozen_at = time.time()
    load.join()
    code = writer.stop()
    watcher.stop()
    answers = result["a"]
    if frozen is None:
        return problems + [f"freeze never got the lock in 100 tries ({refusals} refusals)"], ""
    frozen_size = rlib.parse_checkpoint(frozen)[0]
    if rlib.read_checkpoint(log) != frozen:
        problems.append("the checkpoint changed after the freeze")
    if rlib.read_tree_state(log)[0] != frozen_size:
        problems.append(f"the log grew after the freeze: treeState {rlib.read_tree_state(log)[0]}, frozen at {frozen_size}")
    for a in answers:
        if a.status not in (201, 500, 504):
            problems.append(f"a request got {a.status or 'no answer'} ({a.error})")
            break
    late = [a for a in answers if a.status == 201 and a.index >= frozen_size]
    if late:
        problems.append(f"{len(late)} entries acknowledged beyond the frozen size {frozen_size}")
    if code != 0:
        problems.append(f"the writer exited {code} on SIGTERM after the freeze: " + writer.output()[-300:])
    problems += watcher.problems
    acked = rlib.acked_entries(answers, problems)
    problems += rlib.check_log(binary, log, acked, watcher.notes | {a.envelope for a in answers if a.envelope})
    again = rlib.Server(binary, log, os.path.join(work, "freeze-again.log"))
    if again.start():
        problems.append("a writer started on the frozen log")
        again.stop()
    elif "frozen" not in again.output() or again.exit_code != 2:
        problems.append(f"a writer on the frozen log exited {again.exit_code}: {again.output()[-300:]}")
    reader = rlib.Server(binary, log, os.path.join(work, "freeze-reader.log"), extra=["--read-only"])
    if not reader.start():
        problems.append("serve --read-only did not start on the frozen log: " + reader.output()[-300:])
    else:
        reader.stop()
    counts = rlib.status_counts(answers)
    return problems, (f"froze after {refusals} refusals at size {frozen_size} while a writer took entries ({counts}); "
                      "the writer then stopped growing the log, a new writer is refused")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", required=True)
    p.add_argument("--work", default=None)
    p.add_argument("--keep", action="store_true")
    opts = p.parse_args()
    work = opts.work or tempfile.mkdtemp(prefix="rekor-twoprocs.")
    os.makedirs(work, exist_ok=True)
    binary = os.path.abspath(opts.bin)
    bodies = rlib.make_bodies(work, 1120, tag="twoprocs")
    scenarios = (("together", together, bodies[:340]), ("restarts", restarts, bodies[340:840]), ("read-only", read_only, bodies[840:900]),
                 ("mismatch", mismatch, bodies[900:920]), ("freeze", freeze, bodies[920:1120]))
    failed = rlib.run_scenarios("two processes", scenarios, lambda scenario, name, chunk: scenario(binary, work, chunk))
    if not failed and not opts.keep and not opts.work:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
