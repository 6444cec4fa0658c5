#!/usr/bin/env python3
"""Disk full under load: the log lives on a small file system, writes go on while a ballast file
fills it, then the ballast is deleted and writing must resume without a restart.

The file system is, in order of preference: a loop-mounted ext4 image (no reserved blocks, so
root fills it like anyone), a size-limited tmpfs, or, where mounting is not allowed, ENOSPC
injected with strace into every file write, create and mkdir for the same span (--mode picks one).

Checked, as in faults.py: every answer is 201 or a 5xx; no checkpoint is ever ahead of treeState
(watched during the run, and by replaying strace output of the whole run as if power could fail
after any call); after the space is back new entries get 201 without a restart, and the requests
refused while the disk was full, retried, get 201 or 409 with their own entry's index; the server
stops cleanly and starts again; fsck passes; every acknowledged entry is at its index with its
bytes; every checkpoint seen is signed and a prefix of the final log; no temp file is left."""

import argparse
import collections
import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rlib  # noqa: E402

TRACED = "trace=openat,pwrite64,fsync,fdatasync,rename,link,mkdir,unlink"


class Load(threading.Thread):
    """Posts bodies with a few clients until stopped: fresh ones first, then, as a client would,
    again those that were refused. After a refusal a client pauses for 0.1 s. pause() holds the
    clients back and returns once no request is in flight, so that the server goes quiet."""

    def __init__(self, port, bodies, clients=8):
        super().__init__(daemon=True)
        self.port = port
        self.bodies = iter(bodies)
        self.refused = collections.deque()
        self.clients = clients
        self.answers = []
        self.lock = threading.Lock()
        self.halt = threading.Event()
        self.go = threading.Event()
        self.go.set()
        self.in_flight = 0
        self.idle = threading.Condition(self.lock)

    def run(self):
        workers = [threading.Thread(target=self.client) for _ in range(self.clients)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()

    def client(self):
        while not self.halt.is_set():
            self.go.wait()
            with self.lock:
                if not self.go.is_set():
                    continue
                body = next(self.bodies, None)
                if body is None and self.refused:
                    body = self.refused.popleft()
                if body is not None:
                    self.in_flight += 1
            if body is None:
                return
            a = rlib.post_all(self.port, [body], concurrency=1, timeout=30)[0]
            a.when = time.time()
            with self.lock:
                self.answers.append(a)
                if a.status not in (201, 409):
                    self.refused.append(body)
                self.in_flight -= 1
                self.idle.notify_all()
            if a.status != 201:
                time.sleep(0.1)

    def since(self, t):
        with self.lock:
            return [a for a in self.answers if a.when >= t]

    def pause(self):
        with self.lock:
            self.go.clear()
            self.idle.wait_for(lambda: self.in_flight == 0, timeout=60)

    def resume(self):
        self.go.set()

    def stop(self):
        self.halt.set()
        self.go.set()
        self.join()


def quiesce(load, log):
    """Holds the load back until the server has answered everything and published what it
    integrated: nothing is then left for it to write, so strace may be swapped without a gap in
    what the durability replay sees."""
    load.pause()
    deadline = time.time() + 30  # a hang guard: the server normally settles within a checkpoint interval
    while time.time() < deadline:
        state, note = rlib.read_tree_state(log), rlib.read_checkpoint(log)
        if state and note and rlib.parse_checkpoint(note)[0] == state[0]:
            return True
        time.sleep(0.05)
    return False


def mount_small_fs(mode, mnt, image, size_mb):
    """Mounts the file system for `mode` at mnt; returns the mode actually used."""
    os.makedirs(mnt, exist_ok=True)
    if mode in ("auto", "ext4"):
        try:
            subprocess.run(["truncate", "-s", f"{size_mb}M", image], check=True)
            subprocess.run(["mkfs.ext4", "-q", "-F", "-m", "0", image], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            subprocess.run(["mount", "-o", "loop", image, mnt], check=True, stderr=subprocess.PIPE)
            return "ext4"
        except (subprocess.CalledProcessError, OSError) as e:
            if mode == "ext4":
                raise RuntimeError(f"cannot loop-mount an ext4 image: {e}")
    if mode in ("auto", "tmpfs"):
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", mnt], stderr=subprocess.PIPE)
        if r.returncode == 0:
            return "tmpfs"
        if mode == "tmpfs":
            raise RuntimeError("cannot mount a tmpfs: " + r.stderr.decode(errors="replace"))
    return "inject"


def fill(path):
    """Writes a ballast file until the file system says ENOSPC, in big chunks then small ones."""
    with open(path, "wb", buffering=0) as f:
        for chunk in (1 << 20, 1 << 16, 1 << 12, 1 << 9):
            block = b"\0" * chunk
            while True:
                try:
                    f.write(block)
                except OSError as e:
                    if e.errno != errno.ENOSPC:
                        raise
                    break
        try:
            os.fsync(f.fileno())
        except OSError:
            pass


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", required=True)
    p.add_argument("--mode", choices=["auto", "ext4", "tmpfs", "inject"], default="auto")
    p.add_argument("--size-mb", type=int, default=24)
    p.add_argument("--full-seconds", type=float, default=8.0, help="how long the disk stays full under load")
    p.add_argument("--work", default=None)
    p.add_argument("--keep", action="store_true")
    opts = p.parse_args()

    work = opts.work or tempfile.mkdtemp(prefix="rekor-diskfull.")
    os.makedirs(work, exist_ok=True)
    binary = os.path.abspath(opts.bin)
    bodies = rlib.make_bodies(work, 1500, tag="diskfull")
    mnt = os.path.join(work, "mnt")
    mode = mount_small_fs(opts.mode, mnt, os.path.join(work, "fs.img"), opts.size_mb)
    problems = []
    started = time.time()
    summary = mode
    try:
        log = os.path.join(mnt, "log") if mode != "inject" else os.path.join(work, "log")
        trace = os.path.join(work, "trace")
        server = rlib.Server(binary, log, os.path.join(work, "serve.log"))
        if not server.start():
            print("FAIL diskfull: serve did not start: " + server.output()[-500:])
            return 1
        # strace without injection records the whole run for the durability model; in inject
        # mode a second strace with the fault is attached while the disk is "full".
        tracer = rlib.attach_strace(server.server_pid(), ["-y", "-s", "256", "-e", TRACED], trace)
        watcher = rlib.Watcher(log)
        watcher.start()
        load = Load(server.port, bodies)
        load.start()
        time.sleep(2.0)

        full_at = time.time()
        if mode == "inject":
            # strace cannot attach twice: the recording tracer makes way for one that injects,
            # while the server is quiet, so that the three traces together are the whole run.
            if not quiesce(load, log):
                problems.append("the server did not settle (checkpoint = treeState) before the fault")
            tracer.send_signal(2)
            tracer.wait(30)
            injector = rlib.attach_strace(server.server_pid(), [
                "-y", "-s", "256", "-e", TRACED + ",pwritev",
                "-e", "inject=pwrite64,pwritev,mkdir:error=ENOSPC"], trace + ".full")
            load.resume()
        else:
            fill(os.path.join(mnt, "ballast"))
        free_kb = shutil.disk_usage(mnt).free // 1024 if mode != "inject" else 0
        time.sleep(opts.full_seconds)
        during = load.since(full_at + 0.5)

        freed_at = time.time()
        if mode == "inject":
            if not quiesce(load, log):
                problems.append("the server did not settle (checkpoint = treeState) at the end of the fault")
            injector.send_signal(2)
            injector.wait(30)
            tracer = rlib.attach_strace(server.server_pid(), ["-y", "-s", "256", "-e", TRACED], trace + ".after")
            load.resume()
        else:
            os.remove(os.path.join(mnt, "ballast"))
        # Writing must resume by itself: wait for the first 201 after the space came back.
        resumed = None
        deadline = time.time() + 20
        while time.time() < deadline and resumed is None:
            ok = [a for a in load.since(freed_at) if a.status == 201]
            resumed = min((a.when for a in ok), default=None)
            time.sleep(0.1)
        time.sleep(1.0)
        load.stop()
        if resumed is None:
            problems.append("no entry was accepted within 20 s after the space came back")

        answers = list(load.answers)
        for a in answers:
            if a.status not in (201, 409, 500, 503, 504):
                problems.append(f"a request got {a.status or 'no answer'} ({a.error})")
                break
        ok_bodies = {a.body for a in answers if a.status in (201, 409)}
        refused = list(dict.fromkeys(a.body for a in answers if a.body not in ok_bodies))
        retried = []
        todo = refused
        for _ in range(20):
            got = rlib.post_all(server.port, todo)
            retried += [a for a in got if a.status in (201, 409)]
            todo = [a.body for a in got if a.status not in (201, 409)]
            if not todo:
                break
            time.sleep(0.5)
        if todo:
            problems.append(f"{len(todo)} refused requests still refused when retried")
        code = server.stop()
        tracer.wait(30)
        if code != 0:
            problems.append(f"serve exited {code} on SIGTERM")
        again = rlib.Server(binary, log, os.path.join(work, "serve2.log"))
        if not again.start():
            problems.append("serve did not start again: " + again.output()[-400:])
        elif again.stop() != 0:
            problems.append("the restarted serve did not stop cleanly")
        watcher.stop()
        problems += watcher.problems

        acked = rlib.acked_entries(answers + retried, problems)
        notes = watcher.notes | {a.envelope for a in answers + retried if a.envelope}
        problems += rlib.check_log(binary, log, acked, notes)
        state = rlib.read_tree_state(log)
        entries = rlib.read_entries(log, state[0]) if state else []
        for a in retried + [a for a in answers if a.status == 409]:
            if a.status == 409:
                req = json.loads(a.body)["hashedRekordRequestV002"]
                entry = json.loads(entries[a.dup_index])["spec"]["hashedRekordV002"] if a.dup_index < len(entries) else None
                if entry is None or entry["data"]["digest"] != req["digest"]:
                    problems.append(f"409 names index {a.dup_index}, which is not that entry")
        leftovers = [os.path.join(d, f) for d, _, fs in os.walk(log) for f in fs if f.startswith(".tmp.")]
        if leftovers:
            problems.append(f"temp files left: {leftovers[:3]}")
        # In inject mode strace was swapped twice while the server was quiet (quiesce), so the
        # three traces in order are the whole run.
        model = rlib.Durability(log, 0)  # the empty log was made (and synced) before the trace
        for part in ([trace, trace + ".full", trace + ".after"] if mode == "inject" else [trace]):
            model.feed(part, required=True)
        problems += model.problems
        if mode == "inject" and model.injected == 0:
            problems.append("no ENOSPC was injected: the fault never happened")

        counts = rlib.status_counts(during)
        replay = (f"{model.injected} faults injected, " if mode == "inject" else "") + "durability replayed"
        resumed_text = f"after {resumed - freed_at:.1f} s" if resumed else "never"
        left = f" ({free_kb} KB left)" if mode != "inject" else ""
        summary = (f"{mode}, {opts.size_mb} MB: {len(answers)} requests, while full {counts}{left}, "
                   f"writing resumed {resumed_text} without a restart, {len(refused)} refused retried, "
                   f"{len(acked)} acknowledged, log size {state and state[0]}, {replay}, {time.time() - started:.0f} s")
        if not [a for a in during if a.status != 201]:
            problems.append("the full disk refused nothing: the test did not fill it")
    finally:
        rlib.kill_all()
        if mode in ("ext4", "tmpfs"):
            subprocess.run(["umount", mnt])
    if problems:
        print(f"FAIL diskfull ({summary})")
        for pr in problems[:10]:
            print("    " + pr)
    else:
        print(f"PASS diskfull ({summary})")
    if not opts.keep and not opts.work and not problems:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
