#!/usr/bin/env python3
"""Faults of a cloud flavour under sustained write load from clients that retry a failed request
(rlib.Load): the aws flavour on the cloud rig (a real MariaDB and s3rver, tests/cloud/rig.sh), or the
gcp flavour on the Spanner emulator (tests/gcp/emulator.sh) with its bucket on s3rver (--flavour gcp).
One log, one database and one bucket go through every scenario in turn, so each scenario's end
checks cover what all the earlier ones acknowledged too. aws:

  kill -9      the server is SIGKILLed under load and started again on the same database and
               bucket, ROUNDS times; each round must resume by itself (Seq rows left sequenced
               but not integrated are integrated by the new process); at the end, entries
               acknowledged before the first kill, sent again, get 409 naming their index;
  mariadb      MariaDB is SIGKILLed under load and started again on the same data: while it is
               down every request is answered, with a 5xx, within the server's timeout (no hang,
               no 201 for a request sent while it was down); writes resume by themselves, by the
               same server process;
  s3rver       s3rver is stopped under load for longer than the server's request timeout, and
               started again: the same;
  two          two servers on one database and bucket under load at once: no index is given to
               two entries, checkpoints are published at most once per interval between them
               (PubCoord sampled, the distinct checkpoints in the bucket counted, and each
               process's own publication counter), an entry indexed by the antispam follower
               gets 409 naming its index from both servers (the index is in MySQL), and one of
               them stopped with SIGTERM under load exits 0 and loses nothing.

gcp: kill -9, s3rver and two as above (the antispam index in the <D>-antispam database), and
  spanner      the emulator's gRPC port cut off under load (the server reaches it through a TCP
               proxy here, which is stopped: every connection reset, new ones refused) for longer
               than the server's timeout, and opened again; the emulator keeps its data, as a
               restarted Cloud Spanner would: the checks of mariadb above;
  spanner-stall  the emulator stopped (SIGSTOP) and resumed: the same;
  emulator-reset (last) the emulator restarted for real under load: it keeps nothing on disk, so
               it comes back with empty databases. Nothing is acknowledged after that, the bucket's
               checkpoint never goes back, the running server survives it, and a server started
               again on the emptied database refuses to start (the bucket's checkpoint is ahead of
               its tree) instead of serving a log that forgot its entries.

After each scenario, with the servers stopped cleanly: fsck of the bucket and database passes;
the checkpoint covers IntCoord; every entry acknowledged with 201 so far is at its index with the
bytes of its request (read from the bucket's entry bundles over HTTP); no index was acknowledged
for two different entries; every 409 names an index holding that entry; every checkpoint seen
(watched in the bucket during the run, and in the 201s' inclusion proofs) is validly signed, a
prefix of the final tree, and was never ahead of IntCoord when seen.

Each scenario prints PASS/FAIL lines with its figures: entries acknowledged, attempts by status
(0: no answer), and how long writes took to resume. Standard library plus the mariadb client."""

import argparse
import http.client
import json
import math
import os
import random
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reliability"))
import rlib  # noqa: E402

INTERVAL = 1.0          # --checkpoint-interval, the least the flavour takes (gcp: 1.2, set in main)
SERVER_TIMEOUT = 5.0    # --server-timeout that rlib.Server gives every server
ROUNDS = 5
# Longest a request may take to be answered while a dependency is down: the server's own timeout
# plus slack for a loaded machine.
ANSWER_WITHIN = SERVER_TIMEOUT + 5
RESUME_WITHIN = 30.0    # s after a fault ends (process or dependency back) by which a 201 must come
FAILED = (500, 502, 503, 504)


class Run:
    """What every scenario shares: the binary, the rig, the bodies, and every 201 acknowledged."""

    def __init__(self, binary, work, clients, cloud):
        self.binary = binary
        self.work = work
        self.clients = clients
        self.cloud = cloud
        # One supply for every scenario: a load takes bodies as its clients need them.
        self.bodies = iter(rlib.make_bodies(work, 4000, tag="cloud-faults"))
        self.acked = {}
        self.notes = set()
        self.logs = 0

    def take(self, n):
        out = [b for _, b in zip(range(n), self.bodies)]
        if len(out) < n:
            raise RuntimeError("the run ran out of request bodies")
        return out

    def server(self, name):
        self.logs += 1
        return rlib.Server(self.binary, self.cloud, os.path.join(self.work, f"{self.logs:02d}-{name}.log"),
                           checkpoint_interval=f"{INTERVAL:g}s")

    def start(self, name):
        s = self.server(name)
        if not s.start(timeout=60):
            raise RuntimeError(f"{name}: serve did not start: " + tail(s.output()))
        return s

    def finish(self, attempts, watcher, problems):
        """The end checks of a scenario (servers stopped): its 201s joined to every earlier one.
        Every attempt is also written to the work directory, for a failure's post-mortem."""
        self.logs += 1
        with open(os.path.join(self.work, f"{self.logs:02d}-attempts.jsonl"), "w") as f:
            for a in sorted(attempts, key=lambda a: a.sent or 0):
                f.write(json.dumps({"sent": a.sent, "when": a.when, "port": a.port, "status": a.status, "index": a.index,
                                    "dup_index": a.dup_index, "error": a.error, "body": a.body[30:74]}) + "\n")
        watcher.stop()
        problems += watcher.problems
        acked = rlib.acked_entries(attempts, problems)
        for index, data in acked.items():
            if index in self.acked and self.acked[index] != data:
                problems.append(f"index {index} acknowledged for two different entries (in two scenarios)")
            self.acked[index] = data
        self.notes |= watcher.notes | {a.envelope for a in attempts if a.envelope}
        problems += rlib.check_cloud_log(self.binary, self.cloud, self.acked, self.notes)
        problems += rlib.check_409s(self.cloud, attempts)
        return acked

    def pending(self):
        """Sequenced entries not yet integrated (SeqCoord.next - IntCoord.seq), or None."""
        try:
            return self.cloud.pending()
        except (OSError, ValueError, IndexError):
            return None


def tail(text, n=600):
    text = text.strip()
    return text[-n:].replace("\n", " | ")


def log_problems(name, server):
    """What a server must never print, whatever the fault: a crash. (Warnings and errors about
    an unreachable database or bucket are what it should print.)"""
    out = [f"{name}: {line[:300]}" for line in server.output().splitlines()
           if "Unhandled exception" in line or line.startswith("crit:")]
    return out[:3]


def first_201_after(load, t):
    """Seconds from t to the first 201 answered after t, or None."""
    later = [a.when for a in load.answered(201) if a.when > t]
    return min(later) - t if later else None


def wait_for_201(load, t, within=RESUME_WITHIN):
    deadline = time.time() + within
    while time.time() < deadline:
        if first_201_after(load, t) is not None:
            return True
        time.sleep(0.1)
    return False


class Probe(threading.Thread):
    """A fresh entry sent to `server` every `every` s, each in a thread of its own, until stopped:
    what a new client sees during an outage, whatever the retrying load's clients are waiting for."""

    def __init__(self, server, bodies, every=0.5):
        super().__init__(daemon=True)
        self.server = server
        self.bodies = bodies
        self.every = every
        self.answers = []
        self._halt = threading.Event()
        self._posts = []

    def run(self):
        for body in self.bodies:
            if self._halt.is_set():
                break
            t = threading.Thread(target=self._post, args=(body,))
            t.start()
            self._posts.append(t)
            self._halt.wait(self.every)

    def _post(self, body):
        a = rlib.Answer(body)
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        a.port, a.sent = self.server.port, time.time()
        rlib.post_one(conn, a)
        a.when = time.time()
        conn.close()
        self.answers.append(a)

    def stop(self):
        """Stops sending and waits for every answer."""
        self._halt.set()
        self.join()
        for t in self._posts:
            t.join()


def slowest(attempts):
    answered = [a.when - a.sent for a in attempts if a.status]
    return max(answered) if answered else 0.0


def counts(attempts):
    return rlib.status_counts(attempts) if attempts else "none"


# ---- 1. kill -9 of the server ------------------------------------------------------------------

def kill9(run):
    server = run.start("kill9")
    watcher = rlib.Watcher(run.cloud, period=0.1)
    watcher.start()
    load = rlib.Load([server], run.bodies, clients=run.clients).start()
    lines, rounds = [], []
    rng = random.Random()
    for r in range(1, ROUNDS + 1):
        time.sleep(rng.uniform(1.0, 2.0))
        # The clients answered by a publication send their next entries at once: a kill soon
        # after a 201 lands while those are sequenced, integrated or published.
        wait_for_201(load, time.time(), within=5)
        time.sleep(rng.uniform(0.0, 0.05))
        problems = []
        before = len(load.answered(201))
        t_kill = time.time()
        server.kill()
        pending = run.pending()
        problems += log_problems(f"serve before kill {r}", server)
        started = server.start(timeout=60)
        t_up = time.time()
        if not started:
            problems.append(f"serve did not start again after kill {r} (exit {server.exit_code}): " + tail(server.output()))
            lines.append((f"kill -9 round {r}/{ROUNDS}", problems, "no restart"))
            break
        resumed = wait_for_201(load, t_up)
        resume = first_201_after(load, t_up)
        if not resumed:
            problems.append(f"no 201 within {RESUME_WITHIN:.0f} s of the restart")
        rounds.append((t_kill, t_up))
        lines.append((f"kill -9 round {r}/{ROUNDS}", problems,
                      f"killed with {before} acknowledged so far and {pending} sequenced but not integrated; "
                      f"restarted in {t_up - t_kill:.1f} s; first 201 {resume or 0:.2f} s after the restart"))
    time.sleep(1.5)
    load.stop()
    # Dedup across the restarts: entries acknowledged before the first kill, sent again to the
    # last process, get 409 naming their index (the antispam index is in the database).
    first_kill = rounds[0][0] if rounds else time.time()
    before_kills = {}
    for a in load.answered(201):
        if a.when < first_kill:
            before_kills.setdefault(a.body, a.index)
    chosen = dict(list(before_kills.items())[:20])
    again, problems = send_indexed_again(run, [server.port], chosen)
    code = server.stop()
    if code != 0:
        problems.append(f"serve exited {code} on SIGTERM: " + tail(server.output()))
    problems += log_problems("serve", server)
    for a in load.attempts:
        if a.status in (201, 409) + FAILED:
            continue
        # No answer only for a request in flight at a kill, or sent to the process being killed.
        if a.status == 0 and any(a.sent <= t_up and a.when >= t_kill - 0.5 for t_kill, t_up in rounds):
            continue
        problems.append(f"an attempt got {a.status or 'no answer'} ({a.error})")
        break
    acked = run.finish(load.attempts + again, watcher, problems)
    failed = [a for a in load.attempts if a.status not in (201, 409)]
    summary = (f"{len(acked)} acknowledged over {len(rounds)} kills, log size {run.cloud.tree_size()}; "
               f"{len(chosen)} acknowledged before the first kill sent again after the last: {counts(again)}; "
               f"attempts {counts(load.attempts)}; refused connects {load.refused}; "
               f"failed attempts by status: {counts(failed)}; unresolved at the end {len(load.unresolved)}")
    return lines + [("kill -9: every 201 at its index, no index twice, fsck clean, dedup across the restarts", problems, summary)]


def send_indexed_again(run, ports, chosen):
    """`chosen` (request body -> the index its 201 gave), sent again to each port once the antispam
    follower has passed them: each must get 409 naming that index. (answers, problems)"""
    if not chosen:
        return [], ["no entry to send again"]
    deadline = time.time() + 15
    followed = -1
    while time.time() < deadline:
        try:
            followed = run.cloud.antispam_followed()
        except (OSError, ValueError, IndexError):
            followed = -1
        if followed > max(chosen.values()):
            break
        time.sleep(0.2)
    problems = []
    if followed <= max(chosen.values()):
        problems.append(f"the antispam follower (nextIdx {followed}) did not reach index {max(chosen.values())} within 15 s")
    again = [a for port in ports for a in rlib.post_all(port, list(chosen), concurrency=4)]
    for a in again:
        if a.status != 409:
            problems.append(f"an indexed entry sent again got {a.status or 'no answer'} ({a.error}), not 409")
            break
        if a.dup_index != chosen[a.body]:
            problems.append(f"an entry acknowledged at {chosen[a.body]} got 409 naming {a.dup_index}")
            break
    return again, problems


# ---- 2 and 3. a dependency down ------------------------------------------------------------------

def act(run, cmd):
    """A rig command (rig.sh functions in bash) or a function of ours; (exit code, output)."""
    return cmd() if callable(cmd) else run.cloud.rig(cmd)


def dependency(run, name, stop_cmd, start_cmd, down_for):
    """The dependency stopped with `stop_cmd` (see act) under load, left down `down_for` s, started
    again with `start_cmd`; the server is never restarted. While it is down a probe sends a new
    entry every half second besides the load's clients (which retry the entries they hold)."""
    what = name.split()[0]
    server = run.start(what)
    pid = server.server_pid()
    watcher = rlib.Watcher(run.cloud, period=0.1)
    watcher.start()
    load = rlib.Load([server], run.bodies, clients=run.clients).start()
    time.sleep(3)
    problems = []
    t_stop = time.time()
    rc, out = act(run, stop_cmd)
    t_down = time.time()
    if rc != 0:
        problems.append(f"{stop_cmd}: {out[-300:]}")
    probe = Probe(server, run.take(int(down_for / 0.5)))
    probe.start()
    time.sleep(down_for)
    t_back = time.time()
    rc, out = act(run, start_cmd)
    t_up = time.time()
    if rc != 0:
        load.stop()
        probe.stop()
        server.kill()
        return [(name, problems + [f"{start_cmd}: {out[-300:]}"], "the rig did not come back")]
    resumed = wait_for_201(load, t_up)
    resume = first_201_after(load, t_up)
    time.sleep(2)
    load.stop()
    probe.stop()
    if not resumed:
        problems.append(f"no 201 within {RESUME_WITHIN:.0f} s of the {what} restart: writes did not resume by themselves")
    if not server.alive() or server.server_pid() != pid:
        problems.append(f"the server did not survive the outage (exit {server.exit_code}): " + tail(server.output()))
    attempts = load.attempts + probe.answers
    # While it was down: requests sent after it was gone and answered before it was started again.
    during = [a for a in attempts if a.sent >= t_down and a.when <= t_back]
    if not [a for a in probe.answers if a.when <= t_back]:
        problems.append(f"no new request was answered while {what} was down")
    early = [a for a in during if a.status == 201]
    if early:
        problems.append(f"{len(early)} requests sent while {what} was down got 201 (index {early[0].index})")
    for a in attempts:
        if a.status not in (201, 409) + FAILED:
            problems.append(f"an attempt got {a.status or 'no answer'} ({a.error}) after {a.when - a.sent:.1f} s")
            break
    slow = slowest(attempts)
    if slow > ANSWER_WITHIN:
        problems.append(f"a request took {slow:.1f} s to be answered (the server's timeout is {SERVER_TIMEOUT:g} s)")
    code = server.stop()
    if code != 0:
        problems.append(f"serve exited {code} on SIGTERM: " + tail(server.output()))
    problems += log_problems("serve", server)
    acked = run.finish(attempts, watcher, problems)
    failed = [a for a in attempts if a.status not in (201, 409)]
    gap = [a.when for a in load.answered(201)]
    last_before = max([w for w in gap if w < t_stop], default=t_stop)
    first_after = min([w for w in gap if w > t_up], default=t_up)
    summary = (f"{len(acked)} acknowledged; stopped in {t_down - t_stop:.1f} s, down {t_back - t_down:.1f} s, "
               f"answering {t_up - t_back:.1f} s after its restart began; new entries sent while down: {counts(probe.answers)}; "
               f"answered while down: {counts(during)}; slowest answer {slow:.1f} s; "
               f"first 201 {resume or 0:.2f} s after it was back ({first_after - last_before:.1f} s without a 201 in all); "
               f"attempts {counts(attempts)}; failed attempts by status: {counts(failed)}; "
               f"unresolved at the end {len(load.unresolved)}")
    return [(name, problems, summary)]


def mariadb(run):
    return dependency(run, "mariadb SIGKILL and restart under load", "rig_stop_mysql kill", "rig_start_mysql", 4)


def mariadb_stall(run):
    # Stalled, not dead: SIGSTOP keeps every connection open and answers nothing, the case that
    # only time limits bound (a dead server's connections fail at once). Longer than the server's
    # request timeout, so that waiting requests are answered 5xx while it hangs.
    pid = '"$(cat "$RIG_DIR/mysql.rigpid")"'
    return dependency(run, "mariadb stalled (SIGSTOP) and resumed under load", f"kill -STOP {pid}", f"kill -CONT {pid}",
                      SERVER_TIMEOUT + 3)


def s3rver(run):
    # Down longer than the server's request timeout, so that waiting requests are answered 5xx.
    return dependency(run, "s3rver stop and restart under load", "rig_stop_s3", "rig_start_s3", SERVER_TIMEOUT + 2)


# ---- 4. two instances ------------------------------------------------------------------------

class ChangeSampler(threading.Thread):
    """`read()` every `period` s until stopped: each change of its value, as (when seen, value); the
    first value seen counts as a change only with `first`. A read that fails is skipped."""

    def __init__(self, read, period, first):
        super().__init__(daemon=True)
        self.read = read
        self.period = period
        self.first = first
        self.changes = []
        self._halt = threading.Event()

    def run(self):
        last = None
        while not self._halt.is_set():
            try:
                value = self.read()
            except (OSError, ValueError, IndexError):
                value = None
            if value is not None and value != last:
                if last is not None or self.first:
                    self.changes.append((time.time(), value))
                last = value
            self._halt.wait(self.period)

    def stop(self):
        self._halt.set()
        self.join()


def publications(server):
    v = server.metric("rekor_posix_publication_latency_seconds_count")
    return None if v is None else int(v)


def two(run):
    s1, s2 = run.start("two-1"), run.start("two-2")
    watcher = rlib.Watcher(run.cloud, period=0.1)
    watcher.start()
    # PubCoord (publishedAt, size) every 50 ms: each change is one publication.
    sampler = ChangeSampler(run.cloud.publication, 0.05, first=False)
    sampler.start()
    pub_before = (publications(s1), publications(s2))
    t0 = time.time()
    load = rlib.Load([s1, s2], run.bodies, clients=run.clients).start()
    time.sleep(6)
    pace, dups, term = [], [], []

    # Duplicates: entries acknowledged once and indexed by the antispam follower, sent to both.
    # (A stall of a few seconds, such as s3rver's torn reads cause, may leave too few at first.)
    chosen = {}
    deadline = time.time() + 20
    while len(chosen) < 20 and time.time() < deadline:
        by_body = {}
        for a in list(load.attempts):
            by_body.setdefault(a.body, []).append(a)
        chosen = dict(list({body: tries[0].index for body, tries in by_body.items()
                            if len(tries) == 1 and tries[0].status == 201}.items())[:20])
        if len(chosen) < 20:
            time.sleep(0.5)
    if len(chosen) < 20:
        dups.append(f"only {len(chosen)} entries acknowledged once to send again")
    again, problems = send_indexed_again(run, [s1.port, s2.port], chosen)
    dups += problems
    # The same new entries to both servers at once: dedup before the follower is best effort.
    fresh = run.take(20)
    both = {}
    jobs = [threading.Thread(target=lambda p=p: both.__setitem__(p, rlib.post_all(p, fresh, concurrency=4)))
            for p in (s1.port, s2.port)]
    for j in jobs:
        j.start()
    for j in jobs:
        j.join()
    racing = both[s1.port] + both[s2.port]
    for a in racing:
        # A 5xx is a failure to log it, which the load's counts show; here only dedup is judged.
        if a.status not in (201, 409) + FAILED:
            dups.append(f"an entry sent to both servers at once got {a.status or 'no answer'} ({a.error})")
            break
    twice = sum(1 for b in fresh if sum(1 for a in racing if a.body == b and a.status == 201) == 2)

    # Publication pace while both ran under load.
    t1 = time.time()
    pub_after = (publications(s1), publications(s2))
    sampler.stop()
    window = t1 - t0
    # publishedAt is whole seconds in MySQL (as tessera v1.0.4 writes it; Spanner keeps more), and a publication is due when
    # now - publishedAt >= interval: at most one per interval of publishedAt, so two may come
    # closer than an interval in real time, and a window of W s holds at most ceil(W) + 1.
    most = math.ceil(window / INTERVAL) + 1
    published = None
    if None in pub_before or None in pub_after:
        pace.append("a server's publication counter could not be scraped")
    else:
        published = sum(pub_after) - sum(pub_before)
        if published > most:
            pace.append(f"{published} checkpoints published by the two servers in {window:.1f} s, more than {most} at a {INTERVAL:g} s interval")
    stamps = [row[0] for _, row in sampler.changes]
    close = [(a, b) for a, b in zip(stamps, stamps[1:]) if b - a < INTERVAL]
    if close:
        pace.append(f"PubCoord.publishedAt went from {close[0][0]} to {close[0][1]}: two publications within one interval")
    if not sampler.changes:
        pace.append("PubCoord never changed while both servers took entries")
    # The watcher polls every 0.1 s: the checkpoint current when the window opened may be first
    # seen inside it, one more than the publications within it.
    seen = sorted(t for t in watcher.seen.values() if t0 <= t <= t1)
    if len(seen) > most + 1:
        pace.append(f"{len(seen)} distinct checkpoints in the bucket in {window:.1f} s, more than {most} (+1) at a {INTERVAL:g} s interval")
    real_gaps = [b[0] - a[0] for a, b in zip(sampler.changes, sampler.changes[1:])]
    # Who published: each server's counter moved, or the pace is one server's alone.
    movers = 0 if published is None else sum(1 for b, a in zip(pub_before, pub_after) if a > b)

    # One of them stopped with SIGTERM under load; the clients turn to the other.
    t_term = time.time()
    code = s1.stop()
    t_gone = time.time()
    if code != 0:
        term.append(f"the stopped server exited {code} on SIGTERM: " + tail(s1.output()))
    resumed = wait_for_201(load, t_gone)
    time.sleep(3)
    load.stop()
    if not resumed:
        term.append(f"no 201 from the other server within {RESUME_WITHIN:.0f} s of the stop")
    code = s2.stop()
    if code != 0:
        term.append(f"the other server exited {code} on SIGTERM: " + tail(s2.output()))
    problems = log_problems("server 1", s1) + log_problems("server 2", s2)
    for a in load.attempts:
        if a.status in (201, 409) + FAILED:
            continue
        if a.status == 0 and a.port == s1.port and a.when >= t_term - 0.5:
            continue  # a kept-alive connection closed by the stopping server
        problems.append(f"an attempt got {a.status or 'no answer'} ({a.error})")
        break
    on_s1 = [a for a in load.attempts if a.port == s1.port and a.sent <= t_gone and a.when >= t_term]
    acked = run.finish(load.attempts + again + racing, watcher, problems)
    failed = [a for a in load.attempts if a.status not in (201, 409)]
    per = {p: sum(1 for a in load.attempts if a.port == p and a.status == 201) for p in (s1.port, s2.port)}
    times = [t0] + [a.when for a in load.answered(201) if a.when < t_term] + [t_term]
    stall = max(b - a for a, b in zip(times, times[1:]))
    gaps = [a.when for a in load.answered(201) if a.when > t_term]
    stop_gap = (min(gaps) - t_term) if gaps else 0.0
    return [
        ("two instances: no index twice, every 201 at its index, fsck clean", problems,
         f"{len(acked)} acknowledged ({per[s1.port]} by server 1, {per[s2.port]} by server 2); "
         f"attempts {counts(load.attempts)}; failed attempts by status: {counts(failed)}; "
         f"longest time without a 201 while both ran {stall:.1f} s"),
        ("two instances: at most one checkpoint publication per interval", pace,
         f"{published} publications ({movers} of 2 servers published) and {len(seen)} distinct checkpoints in {window:.1f} s "
         f"(at most {most}, +1 for checkpoints seen); {len(sampler.changes)} PubCoord changes, publishedAt at least "
         f"{min((b - a for a, b in zip(stamps, stamps[1:])), default=0):g} s apart, seen at least {min(real_gaps, default=0):.2f} s apart"),
        ("two instances: an indexed duplicate gets 409 from either server", dups,
         f"{len(chosen)} indexed entries sent again to both: {counts(again)}; "
         f"{len(fresh)} new entries sent to both at once ({counts(racing)}): {len(fresh) - twice} deduplicated, {twice} logged twice"),
        ("two instances: one stopped with SIGTERM under load loses nothing", term + problems,
         f"stopped in {t_gone - t_term:.1f} s with {len(on_s1)} requests on it answered {counts(on_s1)}; "
         f"first 201 {stop_gap:.2f} s after SIGTERM; log size {run.cloud.tree_size()}"),
    ]


# ---- gcp: the Spanner emulator cut off, stalled, and reset ------------------------------------

class TcpProxy:
    """127.0.0.1:port forwarded to the emulator's gRPC port, connection by connection, so that the
    emulator can be cut off from the server without losing its data (it keeps nothing on disk):
    cut() stops listening and closes every connection (new ones are refused), open() listens on
    the same port again."""

    def __init__(self, upstream_port):
        self.upstream = upstream_port
        self.port = rlib.free_port()
        self._listener = None
        self._conns = set()
        self._lock = threading.Lock()

    def open(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return 0, ""

    def cut(self):
        listener, self._listener = self._listener, None
        with self._lock:
            conns, self._conns = list(self._conns), set()
        # shutdown wakes the threads blocked in accept and select; close alone does not on Linux.
        for sock in [listener] + conns:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
        return 0, ""

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream), timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns |= {client, upstream}
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a, b):
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [])
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (b if sock is a else a).sendall(data)
        except (OSError, ValueError):
            return
        finally:
            with self._lock:
                self._conns -= {a, b}
            a.close()
            b.close()


def spanner(run):
    return dependency(run, "spanner cut off (every connection closed, new ones refused) and back under load",
                      run.cloud.proxy.cut, run.cloud.proxy.open, SERVER_TIMEOUT + 2)


def emulator_signal(run, sig):
    def send():
        with open(os.path.join(run.cloud.env["GCP_RIG_DIR"], "emulator_main.pid")) as f:
            os.kill(int(f.read().strip()), sig)
        return 0, ""
    return send


def spanner_stall(run):
    # As mariadb-stall: connections stay open and nothing answers; only deadlines bound it.
    return dependency(run, "spanner stalled (SIGSTOP of the emulator) and resumed under load",
                      emulator_signal(run, signal.SIGSTOP), emulator_signal(run, signal.SIGCONT), SERVER_TIMEOUT + 3)


def emulator_reset(run):
    """Last: the emulator restarted for real comes back empty, and the log's database with it."""
    server = run.start("reset")
    pid = server.server_pid()
    # The bucket's checkpoint every 0.1 s: each note seen.
    sizes = ChangeSampler(run.cloud.checkpoint, 0.1, first=True)
    sizes.start()
    load = rlib.Load([server], run.bodies, clients=run.clients).start()
    time.sleep(3)
    problems = []
    t_stop = time.time()
    r = subprocess.run(["bash", os.path.join(rlib.REPO, "tests", "gcp", "emulator.sh"), "restart", run.cloud.env["GCP_RIG_DIR"]],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    t_up = time.time()
    if r.returncode != 0:
        problems.append(f"emulator.sh restart: {tail(r.stdout)}")
    probe = Probe(server, run.take(16))
    probe.start()
    time.sleep(8)
    load.stop()
    probe.stop()
    attempts = load.attempts + probe.answers
    late = [a for a in attempts if a.status == 201 and a.sent >= t_up]
    if late:
        problems.append(f"{len(late)} requests sent after the emulator came back empty got 201 (index {late[0].index})")
    if not [a for a in probe.answers if a.status in FAILED]:
        problems.append(f"no new request was answered 5xx after the reset: {counts(probe.answers)}")
    slow = slowest(attempts)
    if slow > ANSWER_WITHIN:
        problems.append(f"a request took {slow:.1f} s to be answered (the server's timeout is {SERVER_TIMEOUT:g} s)")
    if not server.alive() or server.server_pid() != pid:
        problems.append(f"the server did not survive the reset (exit {server.exit_code}): " + tail(server.output()))
    code = server.stop()
    problems += log_problems("serve", server)
    before = run.cloud.checkpoint()
    again = run.server("reset-again")
    if again.start(timeout=60):
        problems.append("a server started on the emptied database: it must refuse a bucket whose checkpoint is ahead of its tree")
        again.stop()
    elif "ahead of the durable one" not in again.output():
        problems.append(f"the server on the emptied database exited {again.exit_code} without naming the checkpoint ahead: " + tail(again.output()))
    sizes.stop()
    after = run.cloud.checkpoint()
    if after != before:
        problems.append("the bucket's checkpoint changed after the reset")
    seen = [rlib.parse_checkpoint(note)[0] for _, note in sizes.changes]
    back = [(a, b) for a, b in zip(seen, seen[1:]) if b < a]
    if back:
        problems.append(f"the bucket's checkpoint went back from size {back[0][0]} to {back[0][1]}")
    size = rlib.parse_checkpoint(after)[0] if after else 0
    acked = rlib.acked_entries(attempts, problems)
    for index, data in acked.items():
        run.acked.setdefault(index, data)
    notes = run.notes | {note for _, note in sizes.changes} | {a.envelope for a in attempts if a.envelope}
    # fsck needs the database: only the bucket is left to check, against every 201 of the run.
    problems += rlib.check_contents(run.cloud, size, run.acked, notes, final_published=False)
    problems += rlib.check_409s(run.cloud, attempts, size=size)
    return [("emulator restarted (its data lost) under load: nothing acknowledged after, the bucket's checkpoint kept, "
             "a restart on the emptied database refused", problems,
             f"{len(acked)} acknowledged before; restarted in {t_up - t_stop:.1f} s; answers after it {counts([a for a in attempts if a.sent >= t_up])}; "
             f"slowest answer {slow:.1f} s; serve exited {code} on SIGTERM; bucket checkpoint at {size}, "
             f"{len(run.acked)} entries acknowledged in the whole run all in it")]


SCENARIOS = {
    "aws": [("kill9", kill9, ROUNDS + 1), ("mariadb", mariadb, 1), ("mariadb-stall", mariadb_stall, 1), ("s3rver", s3rver, 1),
            ("two", two, 4)],
    "gcp": [("kill9", kill9, ROUNDS + 1), ("spanner", spanner, 1), ("spanner-stall", spanner_stall, 1), ("s3rver", s3rver, 1),
            ("two", two, 4), ("emulator-reset", emulator_reset, 1)],
}


def open_cloud(flavour):
    """The rig's log as the checks read it. gcp: the servers reach the emulator through a proxy of
    ours (the spanner scenario cuts it) and the bucket by the GCS_HMAC_* variables, from the rig's
    AWS_* (set by tests/cloud/faults.sh); its least checkpoint interval is 1.2 s."""
    global INTERVAL
    if flavour == "aws":
        return rlib.Cloud()
    INTERVAL = 1.2
    cloud = rlib.SpannerCloud()
    cloud.proxy = TcpProxy(int(os.environ["GCP_RIG_GRPC_PORT"]))
    cloud.proxy.open()
    os.environ["SPANNER_EMULATOR_HOST"] = f"127.0.0.1:{cloud.proxy.port}"
    return cloud


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", required=True, help="the native rekor-server-aws, or rekor-server-gcp with --flavour gcp")
    p.add_argument("--flavour", default="aws", choices=sorted(SCENARIOS), help="the flavour of --bin (default aws)")
    p.add_argument("--work", default=None, help="work directory (default: a new temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    p.add_argument("--clients", type=int, default=24, help="concurrent clients of the write load")
    p.add_argument("--only", default=None, help="comma-separated scenarios: " +
                   "; ".join(f"{f}: " + ",".join(n for n, _, _ in s) for f, s in SCENARIOS.items()))
    opts = p.parse_args()
    scenarios = SCENARIOS[opts.flavour]
    names = opts.only.split(",") if opts.only else [n for n, _, _ in scenarios]
    unknown = [n for n in names if n not in {s[0] for s in scenarios}]
    if unknown:
        p.error(f"--only: unknown {', '.join(unknown)}")
    # Times on the servers' log lines, to line them up with the attempts for a post-mortem.
    os.environ.setdefault("Logging__Console__FormatterOptions__TimestampFormat", "HH:mm:ss.fff ")
    work = opts.work or tempfile.mkdtemp(prefix="rekor-cloud-faults.")
    os.makedirs(work, exist_ok=True)
    run = Run(os.path.abspath(opts.bin), work, opts.clients, open_cloud(opts.flavour))
    prefix = "cloud" if opts.flavour == "aws" else opts.flavour
    failed = 0
    for name, scenario, lines in scenarios:
        if name not in names:
            continue
        started = time.time()
        try:
            results = scenario(run)
        except Exception as e:  # the harness failed: report and go on
            results = [(name, [f"{type(e).__name__}: {e}"], "harness error")] * lines
        finally:
            rlib.kill_all()
        took = f"{time.time() - started:.0f} s"
        for i, (title, problems, summary) in enumerate(results):
            if i == len(results) - 1:
                summary += f"; scenario {took}"
            if problems:
                failed += 1
                print(f"FAIL {prefix} {title} ({summary})", flush=True)
                for pr in problems[:10]:
                    print("    " + pr, flush=True)
            else:
                print(f"PASS {prefix} {title} ({summary})", flush=True)
    if not failed and not opts.keep and not opts.work:
        shutil.rmtree(work, ignore_errors=True)
    elif failed:
        print(f"{prefix} faults: server logs kept in {work}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
