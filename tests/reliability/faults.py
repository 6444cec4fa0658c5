#!/usr/bin/env python3
"""Fault injection on every file syscall of the server, as tessera's strace test does it.

Three phases put the faults in different places:
  burst   the server is started cleanly on a 250-entry log; strace is attached to it and a burst
          of 60 entries crosses the first tile boundary (new full tiles, new directories);
  reopen  the server is started under strace on that 250-entry log (Open's checks, the sweep,
          the dedup index) and then takes entries;
  init    the server is started under strace on an empty directory (.state, version, treeState,
          the first checkpoint) and then takes entries.
For each syscall class (openat, write, fsync, rename, link, mkdir; read and close with --full) a
counting run finds the numbers N at which each thread makes a call into the log directory, and
each run injects one fault at the N-th call of that class in every thread (strace counts per
thread): EIO once, ENOSPC ten calls in a row, or SIGKILL.

Every run then checks: every answer was 201 or a 5xx (no answer only once the server was
killed); once the fault is over (no call injected for 15 s: strace counts per thread, so a thread
that first touches the log late meets its faults late) the server takes new entries by itself (or,
killed, restarts and does); the requests that failed, retried, get 201 or 409 with the index of
their own entry; the server stops cleanly and starts again; fsck passes; every acknowledged
entry is at its index with its bytes; every checkpoint seen (watched on disk during the run and
returned in proofs) is validly signed and a prefix of the final log, and was never ahead of
treeState; and, replaying the strace output as if power could fail after any call, no file was
renamed before its data was durable, no treeState before the tiles it implies, no checkpoint
before a treeState at least as large.

Default: a seeded sample (CI). --full: every run. Prints PASS/FAIL per run and a summary."""

import argparse
import os
import random
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rlib  # noqa: E402

# Files are read and written at an offset (.NET's FileStream and SQLite use pread64/pwrite64);
# write(2) and read(2) only serve the console, pipes and the runtime's signal pipe, and failing
# those tests the runtime, not the log (an injected write to the signal pipe aborts the process).
CLASSES = {
    "openat": ["open", "openat", "creat"],
    "write": ["pwrite64", "pwritev", "pwritev2"],
    "fsync": ["fsync", "fdatasync"],
    "rename": ["rename", "renameat", "renameat2"],
    "link": ["link", "linkat"],
    "mkdir": ["mkdir", "mkdirat"],
    "read": ["pread64", "preadv", "preadv2"],
    "close": ["close"],
}
DEFAULT_CLASSES = ["openat", "write", "fsync", "rename", "link", "mkdir"]
# What the durability model needs to see, whatever is injected.
TRACED = ["open", "openat", "creat", "write", "pwrite64", "writev", "pwritev", "fsync", "fdatasync",
          "rename", "renameat", "renameat2", "link", "linkat", "mkdir", "mkdirat"]
MODES = ["eio", "enospc", "kill"]
PHASES = ["burst", "reopen", "init"]
BASE, BURST, RECOVER = 250, 60, 12


def trace_options(inject=None, klass=None):
    """strace options that trace what the durability model reads, plus an injection."""
    traced = sorted(set(TRACED + (CLASSES[klass] if klass else [])))
    args = ["-y", "-s", "256", "-e", "trace=" + ",".join(traced)]
    if inject:
        args.append(inject)
    return args


def under_strace(trace, inject=None, klass=None):
    """Options to start serve under strace from its first instruction."""
    return ["-f", "-qq", "-o", trace] + trace_options(inject, klass)


def inject_arg(klass, mode, n):
    calls = ",".join(CLASSES[klass])
    if mode == "eio":
        return f"--inject={calls}:error=EIO:when={n}"
    if mode == "enospc":
        return f"--inject={calls}:error=ENOSPC:when={n}..{n + 9}"
    return f"--inject={calls}:signal=KILL:when={n}"


class Campaign:
    def __init__(self, binary, work):
        self.binary = binary
        self.work = work
        bodies = rlib.make_bodies(work, BASE + BURST + RECOVER)
        self.base_bodies = bodies[:BASE]
        self.burst = bodies[BASE:BASE + BURST]
        self.recover = bodies[BASE + BURST:]
        self.base = os.path.join(work, "base")

    # ---- setup ---------------------------------------------------------------------------

    def make_base(self):
        """A cleanly shut down log of BASE entries, copied for every burst and reopen run."""
        if os.path.exists(self.base):
            shutil.rmtree(self.base)
        server = rlib.Server(self.binary, self.base, os.path.join(self.work, "base.log"))
        if not server.start():
            raise RuntimeError("serve would not start on a new directory:\n" + server.output()[-2000:])
        answers = rlib.post_all(server.port, self.base_bodies, concurrency=16)
        code = server.stop()
        bad = [a for a in answers if a.status != 201]
        if bad or code != 0:
            raise RuntimeError(f"base log: {rlib.status_counts(answers)}, serve exit {code}")
        code, out = rlib.fsck(self.binary, self.base)
        if code != 0:
            raise RuntimeError("base log fails fsck: " + out)

    def count(self, phase, classes):
        """Runs `phase` without a fault and returns, per class of `classes`, the sorted numbers N
        such that some thread's N-th call of that class touched the log directory: during the
        burst for the burst phase, before the server answered for the start-up phases (the burst
        after start-up is the burst phase's business). Only what a faulted run traces is traced:
        tracing more slows the server, its batches get smaller and more numerous, and the count
        promises calls a faulted run does not make."""
        run = self.prepare(f"count-{phase}", phase)
        trace = os.path.join(os.path.dirname(run), "trace")
        options = ["-y", "-ttt", "-e", "trace=" + ",".join(sorted(set(TRACED) | {c for k in classes for c in CLASSES[k]}))]
        if phase == "burst":
            server = rlib.Server(self.binary, run, run + ".log")
            server.start()
            tracer = rlib.attach_strace(server.server_pid(), options, trace)
            ready = float("inf")
        else:
            server = rlib.Server(self.binary, run, run + ".log", strace_args=["-f", "-qq", "-o", trace] + options)
            server.start()
            ready = time.time()
            tracer = None
        rlib.post_all(server.port, self.burst)
        server.stop()
        if tracer:
            tracer.wait(30)
        root = os.path.realpath(run)
        per_thread = {}
        touched = {k: set() for k in classes}
        klass_of = {c: k for k in classes for c in CLASSES[k]}
        for line in open(trace, errors="replace"):
            parts = line.split(None, 2)
            if len(parts) < 3 or not parts[0].isdigit() or parts[2].startswith("<..."):
                continue  # a resumed call was counted at its start
            k = klass_of.get(parts[2].split("(", 1)[0])
            if k is None:
                continue
            key = (parts[0], k)
            per_thread[key] = per_thread.get(key, 0) + 1
            call = parts[2].split(" = ")[0]
            if float(parts[1]) < ready and (root + "/" in call or root + ">" in call):
                touched[k].add(per_thread[key])
        shutil.rmtree(os.path.dirname(run), ignore_errors=True)
        return {k: sorted(v) for k, v in touched.items()}

    def prepare(self, name, phase):
        """A fresh work/<name>/ holding the log (a copy of the base, or nothing for init) as
        work/<name>/log; traces and server output go beside it, never inside the log."""
        top = os.path.join(self.work, name)
        shutil.rmtree(top, ignore_errors=True)
        os.makedirs(top)
        run = os.path.join(top, "log")
        if phase != "init":
            shutil.copytree(self.base, run)
        return run

    # ---- one run ---------------------------------------------------------------------------

    def run(self, phase, klass, mode, n):
        """Returns (ok, summary, problems)."""
        run = self.prepare("run", phase)
        traces = [run + ".trace1", run + ".trace2", run + ".trace3"]
        problems = []
        answers, notes = [], set()
        inject = inject_arg(klass, mode, n)
        watcher = rlib.Watcher(run)
        started = True
        outcome = ""
        if phase == "burst":
            server = rlib.Server(self.binary, run, run + ".log")
            if not server.start():
                return False, "infrastructure", ["serve did not start on the base copy: " + server.output()[-500:]]
            watcher.start()
            tracer = rlib.attach_strace(server.server_pid(), trace_options(inject, klass), traces[0])
        else:
            watcher.start()
            server = rlib.Server(self.binary, run, run + ".log", strace_args=under_strace(traces[0], inject, klass))
            tracer = None
            started = server.start()
            if not started:
                # Refusing to start is allowed, with a message; a crash or silence is not.
                out = server.output()
                refusal = next((l for l in out.splitlines() if l.startswith("serve: ")), None)
                # strace injects at the N-th call of *every* thread, so a small N also hits the
                # dynamic loader's read or close of libc/libm, before any of our code runs: ld.so
                # then exits 127 naming the library and the error. Nothing of the log was touched.
                loader = server.exit_code == 127 and "error while loading shared libraries" in out
                outcome = (f"refused to start ({refusal}); " if refusal
                           else "the loader refused to start (" + next(l for l in out.splitlines() if "error while loading shared libraries" in l).strip() + "); " if loader
                           else f"died at start-up (exit {server.exit_code}); ")
                if "Unhandled exception" in out:
                    problems.append("serve crashed at start-up: " + tail(out))
                elif server.exit_code not in (137, -9) and "serve: " not in out and not loader:
                    problems.append(f"serve exited {server.exit_code} at start-up without saying why: " + tail(out))
        faulted = rlib.post_all(server.port, self.burst) if started else []
        answers += faulted
        if mode == "kill":
            server.wait_exit(2)  # a SIGKILLed tracee is reported to its parent only after strace
        crashed = started and "Unhandled exception" in server.output()
        # The fault is over (one call, ten calls, or the process): the server must take entries.
        # With SIGKILL the N-th call can also come later (in a thread that makes few calls), so a
        # server that dies while recovering in that mode is started again too, once.
        live = {"server": server, "restarted": False}

        def revive():
            s = live["server"]
            if s.alive():
                return s
            if live["restarted"] or (mode != "kill" and started):
                problems.append(f"serve died (exit {s.exit_code}): " + tail(s.output()))
                return None
            if tracer:
                tracer.wait(30)
            live["restarted"] = True
            s = rlib.Server(self.binary, run, run + ".log.2", strace_args=under_strace(traces[1]))
            if not s.start():
                problems.append("serve did not start again after the fault: " + tail(s.output()))
                return None
            live["server"] = s
            return s

        injections = InjectionWatch(traces[:2])
        fresh = self.until_accepted(revive, self.recover, problems, injections)
        retried = self.until_accepted(revive, [a.body for a in faulted if a.status != 201], problems, injections)
        answers += fresh + retried
        self.check_duplicates(run, retried, problems)
        if crashed:
            problems.append("serve crashed: " + tail(server.output()))
        for a in faulted:
            # No answer is fine only from a server that was killed.
            if a.status not in (201, 500, 503, 504) and not (a.status == 0 and mode == "kill"):
                problems.append(f"a request during the fault got {a.status or 'no answer'} ({a.error})")
        server = live["server"]
        if server.alive():
            code = server.stop()
            if code != 0:
                problems.append(f"serve exited {code} on SIGTERM: " + tail(server.output()))
        if tracer:
            tracer.wait(30)
        # And once more from the top, as an operator would after the incident.
        again = rlib.Server(self.binary, run, run + ".log.3", strace_args=under_strace(traces[2]))
        if not again.start():
            problems.append("serve did not start on the log after the run: " + tail(again.output()))
        elif again.stop() != 0:
            problems.append("the restarted serve did not stop cleanly")
        return self.finish(run, phase, watcher, answers, faulted, notes, traces, problems, outcome)

    def finish(self, run, phase, watcher, answers, faulted, notes, traces, problems, prefix):
        watcher.stop()
        problems += watcher.problems
        acked = rlib.acked_entries(answers, problems)
        notes |= watcher.notes | {a.envelope for a in answers if a.envelope}
        problems += rlib.check_log(self.binary, run, acked, notes)
        model = rlib.Durability(run, BASE if phase != "init" else -1)
        # The first trace is the run itself; the second exists only if a killed server was
        # restarted; the third is the restart after the run.
        for i, t in enumerate(traces):
            model.feed(t, required=i != 1)
        problems += model.problems
        summary = prefix + (f"burst under the fault: {rlib.status_counts(faulted)}; " if faulted else "")
        summary += f"{model.injected} injected{', killed' if model.killed else ''}; {len(acked)} acknowledged"
        if model.injected == 0 and not model.killed:
            # The run checked nothing it was meant to: the fault it planned never happened.
            summary += "; NO FAULT HIT"
            problems.append("no fault was injected: no thread made the planned N-th call of the class")
        return not problems, summary, problems

    def until_accepted(self, revive, bodies, problems, injections, patience=15.0, longest=120.0):
        """Posts until every body got 201 or 409, retrying other answers until `patience` seconds
        passed since the last injected failure; `revive` returns the live server (restarting a
        killed one) or None. strace counts calls per thread, so a thread that starts or first
        touches the log after the burst still meets its N-th..N+9-th call: the fault is over only
        once no thread is injected any more, which is when patience starts (within `longest`)."""
        final = []
        todo = list(bodies)
        started = time.time()
        seen = injections.count()
        quiet_since = started
        while todo:
            server = revive()
            if server is None:
                break
            got = rlib.post_all(server.port, todo)
            final += [a for a in got if a.status in (201, 409)]
            todo = [a.body for a in got if a.status not in (201, 409)]
            now = injections.count()
            if now != seen:
                seen, quiet_since = now, time.time()
            if todo and (time.time() - quiet_since > patience or time.time() - started > longest):
                refused = [a for a in got if a.status not in (201, 409)]
                problems.append(f"{len(todo)} entries still refused {time.time() - quiet_since:.0f} s after the last "
                                f"injected failure ({seen} injected in all): {rlib.status_counts(refused)}; first answer: "
                                + (refused[0].error or "")[:200])
                break
            if todo:
                time.sleep(0.3)
        return final

    def check_duplicates(self, run, answers, problems):
        """A 409 for a retried request must name the index of that very entry."""
        problems += rlib.check_409s(run, answers)


class InjectionWatch:
    """How many failures strace has injected so far, read from the traces as they grow."""

    def __init__(self, paths):
        self.paths = paths
        self.offsets = {}
        self.total = 0

    def count(self):
        for path in self.paths:
            if not os.path.exists(path):
                continue
            with open(path, "rb") as f:
                f.seek(self.offsets.get(path, 0))
                data = f.read()
            # Only whole lines: a line strace is still writing is counted at the next look.
            end = data.rfind(b"\n") + 1
            self.offsets[path] = self.offsets.get(path, 0) + end
            self.total += data[:end].count(b"(INJECTED)")
        return self.total


def tail(text, n=600):
    text = text.strip()
    return text[-n:].replace("\n", " | ")


# How many times a run is tried before "no fault hit" fails it. How many calls of a class a
# thread makes depends on how the burst happens to be batched, so an N near the top of what the
# counting run saw is not reached every time; three misses in a row are a plan that is wrong.
ATTEMPTS = 3


def attempt(c, ph, k, m, n):
    """Runs one planned fault, again while the workload did not reach the planned call."""
    for tries in range(1, ATTEMPTS + 1):
        try:
            ok, summary, problems = c.run(ph, k, m, n)
        except Exception as e:  # the harness itself failed: report, keep going
            return False, "harness error", [f"{type(e).__name__}: {e}"]
        if "NO FAULT HIT" not in summary:
            return ok, summary + (f"; hit on attempt {tries}" if tries > 1 else ""), problems
    return ok, summary + f" in {ATTEMPTS} attempts", problems


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", required=True, help="the native rekor-server-posix")
    p.add_argument("--full", action="store_true", help="every run of the sweep (hours)")
    p.add_argument("--sample", type=int, default=30, help="runs in the default sample (at least 1)")
    p.add_argument("--seed", type=int, default=None, help="seed of the sample (printed)")
    p.add_argument("--classes", default=None, help="comma-separated syscall classes")
    p.add_argument("--phases", default=",".join(PHASES))
    p.add_argument("--modes", default=",".join(MODES))
    p.add_argument("--only", action="append", default=[], help="PHASE:CLASS:MODE:N, repeatable")
    p.add_argument("--work", default=None, help="work directory (default: a new temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    opts = p.parse_args()
    if opts.sample < 1:
        p.error(f"--sample {opts.sample}: a sweep of no runs checks nothing")
    for name, given, known in (("classes", opts.classes, CLASSES), ("phases", opts.phases, PHASES),
                               ("modes", opts.modes, MODES)):
        unknown = [x for x in (given.split(",") if given else []) if x not in known]
        if unknown:
            p.error(f"--{name}: unknown {', '.join(unknown)} (known: {', '.join(known)})")
    for spec in opts.only:
        parts = spec.split(":")
        if (len(parts) != 4 or parts[0] not in PHASES or parts[1] not in CLASSES or parts[2] not in MODES
                or not parts[3].isdigit() or int(parts[3]) < 1):
            p.error(f"--only {spec}: not PHASE:CLASS:MODE:N with N >= 1")

    if not shutil.which("strace"):
        print("FAIL strace is not installed")
        return 1
    work = opts.work or tempfile.mkdtemp(prefix="rekor-faults.")
    os.makedirs(work, exist_ok=True)
    binary = os.path.abspath(opts.bin)
    c = Campaign(binary, work)
    started = time.time()
    c.make_base()
    classes = opts.classes.split(",") if opts.classes else (list(CLASSES) if opts.full else DEFAULT_CLASSES)
    phases = opts.phases.split(",")
    modes = opts.modes.split(",")

    plan = []
    if opts.only:
        for spec in opts.only:
            ph, k, m, n = spec.split(":")
            plan.append((ph, k, m, int(n)))
    else:
        for ph in phases:
            counts = c.count(ph, classes)
            if not opts.full:
                # A sample plans only calls that two counting runs both reached: how many calls a
                # thread makes depends on how the burst is batched, and a call near the top of one
                # count may not come in three attempts (a miss that says nothing of the server).
                again = c.count(ph, classes)
                counts = {k: sorted(set(counts[k]) & set(again.get(k, []))) for k in counts}
                if ph == "burst":
                    # And, in the burst, not the last tenth of them (but always the first): a run
                    # that batched the burst into fewer, larger batches made 76 writes where both
                    # counts saw 80.
                    counts = {k: [n for n in v if n <= 0.9 * v[-1]] or v[:1] for k, v in counts.items()}
            print(f"counted {ph}: " + ", ".join(f"{k} {len(counts[k])} (N {counts[k][0]}..{counts[k][-1]})"
                                                if counts[k] else f"{k} 0" for k in classes), flush=True)
            for k in classes:
                for n in counts[k]:
                    for m in modes:
                        plan.append((ph, k, m, n))
        total = len(plan)
        if not opts.full:
            seed = opts.seed if opts.seed is not None else random.randrange(1 << 30)
            rng = random.Random(seed)
            # Every class and mode in every phase at least once, then random runs.
            groups = {}
            for r in plan:
                groups.setdefault((r[0], r[1], r[2]), []).append(r)
            chosen = [rng.choice(g) for g in groups.values()]
            rng.shuffle(chosen)
            chosen = chosen[:opts.sample]
            rest = [r for r in plan if r not in chosen]
            chosen += rng.sample(rest, max(0, min(len(rest), opts.sample - len(chosen))))
            plan = sorted(chosen)
            print(f"sample of {len(plan)} of the {total} runs of the full sweep; replay with --seed {seed}", flush=True)
        else:
            print(f"full sweep: {total} runs", flush=True)

    if not plan:
        print("FAIL fault injection: the plan is empty (the counting runs found no call to inject into)", flush=True)
        return 1
    passed = failed = hit = 0
    for ph, k, m, n in plan:
        spec = f"{ph}:{k}:{m}:{n}"
        ok, summary, problems = attempt(c, ph, k, m, n)
        if "NO FAULT HIT" not in summary and summary != "harness error":
            hit += 1
        if ok:
            passed += 1
            print(f"PASS fault {spec} ({summary})", flush=True)
        else:
            failed += 1
            print(f"FAIL fault {spec} ({summary})", flush=True)
            for pr in problems[:10]:
                print(f"    {pr}", flush=True)
            kept = os.path.join(work, "failed", spec.replace(":", "-"))
            shutil.rmtree(kept, ignore_errors=True)
            shutil.copytree(os.path.join(work, "run"), kept)
    print(f"fault injection: {len(plan)} runs ({hit} with a fault hit), {passed} passed, {failed} failed, "
          f"{time.time() - started:.0f} s; work dir {work}", flush=True)
    if hit < len(plan):
        print(f"fault injection: a fault was injected in {hit} of the {len(plan)} planned runs: the sweep is not complete",
              flush=True)
        failed = failed or 1
    if not opts.keep and failed == 0 and not opts.work:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
