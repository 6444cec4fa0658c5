#!/usr/bin/env python3
"""A witnessed log with its witnesses as separate processes (the binary's `witness` command), each
scenario on a fresh log directory and fresh witnesses:

  quorum       three witnesses, a 2-of-3 policy: every checkpoint a client gets carries all three
               cosignatures, verify-checkpoint says so, fsck passes;
  killed       one witness killed (SIGKILL) under load: writes go on (none times out), and
               checkpoints still meet the quorum with the other two;
  fail-open    two of three unresponsive (one killed, one stopped with SIGSTOP): the server
               publishes without the quorum after the timeout, warns and counts it;
  restart      serve restarted: it sends each witness the size it last cosigned (kept in
               .state/witnessSizes), so no witness answers 409 after the restart;
  fail-closed  --witness-fail-closed with the one needed witness down: no checkpoint grows while
               entries are integrated; the witness started again within the writes' --server-timeout, the checkpoint catches up
               with its cosignature and the waiting writes are answered.

Checked besides: every 201's checkpoint verifies with the log key; the log passes fsck."""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rlib  # noqa: E402

TIMEOUT = 1.0  # --witness-timeout of these servers, in seconds


class Witness:
    """One `witness` process on a free port, its key and state in `work/name*`."""

    def __init__(self, binary, work, name):
        self.binary, self.name = binary, name
        self.key = os.path.join(work, f"{name}.key")
        self.state = os.path.join(work, f"{name}-state")
        self.logfile = os.path.join(work, f"{name}.log")
        self.logs = os.path.join(work, "witnessed-logs")
        with open(self.logs, "w") as f:
            f.write(rlib.VKEY + "\n")
        out = subprocess.run([binary, "witness", "--key", self.key, "--name", f"{name}.witness.test", "--print-vkey"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=True).stdout
        self.vkey = out.strip().splitlines()[-1]
        self.port = rlib.free_port()
        self.proc = None

    def start(self):
        log = open(self.logfile, "ab")
        self.proc = subprocess.Popen([self.binary, "witness", "--listen", f"127.0.0.1:{self.port}", "--key", self.key,
                                      "--name", f"{self.name}.witness.test", "--logs", self.logs, "--state-dir", self.state],
                                     stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        rlib._live.add(self.proc)
        log.close()
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"witness {self.name} did not listen: {self.output()[-300:]}")

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def signal(self, sig):
        os.kill(self.proc.pid, sig)

    def output(self):
        with open(self.logfile, errors="replace") as f:
            return f.read()

    def refusals(self, status):
        return sum(1 for line in self.output().splitlines() if "Refused checkpoint" in line and f": {status} " in line)

    def policy_line(self):
        return f"witness {self.name} {self.vkey} http://127.0.0.1:{self.port}\n"


def setup(binary, work, names, quorum):
    os.makedirs(work, exist_ok=True)
    witnesses = [Witness(binary, work, n) for n in names]
    for w in witnesses:
        w.start()
    policy = os.path.join(work, "policy")
    with open(policy, "w") as f:
        f.writelines(w.policy_line() for w in witnesses)
        f.write(quorum)
    return witnesses, policy


def serve(binary, work, policy, *extra):
    server = rlib.Server(binary, os.path.join(work, "log"), os.path.join(work, "serve.log"), checkpoint_interval="200ms",
                         extra=["--witness-policy-path", policy, "--witness-timeout", f"{int(TIMEOUT * 1000)}ms", *extra])
    if not server.start():
        raise RuntimeError("serve did not start: " + server.output()[-400:])
    return server


def verify_checkpoint(binary, work, policy):
    r = subprocess.run([binary, "verify-checkpoint", "--storage-dir", os.path.join(work, "log"), "--vkey", rlib.VKEY,
                        "--witness-policy", policy], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return r.returncode, r.stdout


def cosigners(envelope, witnesses):
    return [w.name for w in witnesses if f"\u2014 {w.name}.witness.test " in envelope]


def answered(answers, problems):
    """Every answer a 201 with a verified checkpoint (a write left waiting past serve's
    --server-timeout, 5 s here, would be a 504)."""
    for a in answers:
        if a.status != 201:
            problems.append(f"a write got {a.status or 'no answer'} ({a.error})")
            return
        if not rlib.verify_note(a.envelope):
            problems.append(f"entry {a.index}: its checkpoint does not verify with the log key")
            return


def finish(binary, work, server, problems):
    if server.stop() != 0:
        problems.append("serve did not stop cleanly")
    code, out = rlib.fsck(binary, os.path.join(work, "log"))
    if code != 0:
        problems.append(f"fsck exit {code}: {out[-300:]}")


def quorum(binary, work, bodies):
    witnesses, policy = setup(binary, work, ["w1", "w2", "w3"], "group two 2 w1 w2 w3\nquorum two\n")
    server = serve(binary, work, policy)
    answers = rlib.post_all(server.port, bodies)
    problems = []
    answered(answers, problems)
    short = [a.index for a in answers if a.status == 201 and len(cosigners(a.envelope, witnesses)) != 3]
    if short:
        problems.append(f"{len(short)} entries' checkpoints lack a cosignature (e.g. entry {short[0]})")
    finish(binary, work, server, problems)
    code, out = verify_checkpoint(binary, work, policy)
    if code != 0 or "quorum two: satisfied" not in out or out.count("signed at") != 3:
        problems.append(f"verify-checkpoint exit {code}: {out[-400:]}")
    return problems, f"{len(answers)} entries, each checkpoint cosigned by 3 witnesses"


def killed(binary, work, bodies):
    witnesses, policy = setup(binary, work, ["w1", "w2", "w3"], "group two 2 w1 w2 w3\nquorum two\n")
    server = serve(binary, work, policy)
    problems = []
    answered(rlib.post_all(server.port, bodies[:40]), problems)
    witnesses[2].kill()
    after = rlib.post_all(server.port, bodies[40:])
    answered(after, problems)
    lacking = [a.index for a in after if a.status == 201 and cosigners(a.envelope, witnesses) != ["w1", "w2"]]
    if lacking:
        problems.append(f"{len(lacking)} checkpoints after the kill are not cosigned by exactly w1 and w2")
    if server.metric("rekor_posix_witness_failed_open_total") not in (0.0, None):
        problems.append("a checkpoint failed open though two witnesses answered")
    finish(binary, work, server, problems)
    code, out = verify_checkpoint(binary, work, policy)
    if code != 0 or "w3" not in out or "missing" not in out:
        problems.append(f"verify-checkpoint exit {code}: {out[-400:]}")
    return problems, f"w3 killed after 40 of {len(bodies)} entries, every write answered"


def fail_open(binary, work, bodies):
    witnesses, policy = setup(binary, work, ["w1", "w2", "w3"], "group two 2 w1 w2 w3\nquorum two\n")
    server = serve(binary, work, policy)
    witnesses[1].signal(signal.SIGSTOP)
    witnesses[2].kill()
    problems = []
    started = time.time()
    answers = rlib.post_all(server.port, bodies)
    took = time.time() - started
    answered(answers, problems)
    witnesses[1].signal(signal.SIGCONT)
    failed_open = server.metric("rekor_posix_witness_failed_open_total") or 0
    if failed_open < 1:
        problems.append("no fail-open publication was counted")
    if "without the witness quorum (failing open)" not in server.output():
        problems.append("serve logged no fail-open warning")
    finish(binary, work, server, problems)
    return problems, f"{len(answers)} entries in {took:.1f} s, {failed_open:.0f} checkpoints failed open"


def restart(binary, work, bodies):
    witnesses, policy = setup(binary, work, ["w1", "w2"], "group both all w1 w2\nquorum both\n")
    server = serve(binary, work, policy)
    problems = []
    answered(rlib.post_all(server.port, bodies[:30]), problems)
    if server.stop() != 0:
        problems.append("serve did not stop cleanly")
    before = [w.refusals(409) for w in witnesses]
    sizes = os.path.join(work, "log", ".state", "witnessSizes")
    if not os.path.exists(sizes):
        problems.append("no .state/witnessSizes after the first run")
    server = serve(binary, work, policy)
    answers = rlib.post_all(server.port, bodies[30:])
    answered(answers, problems)
    after = [w.refusals(409) for w in witnesses]
    if after != before:
        problems.append(f"a witness answered 409 after the restart (refusals {before} -> {after})")
    if any(len(cosigners(a.envelope, witnesses)) != 2 for a in answers if a.status == 201):
        problems.append("a checkpoint after the restart lacks a cosignature")
    finish(binary, work, server, problems)
    return problems, "restarted after 30 entries, no 409 from either witness"


def fail_closed(binary, work, bodies):
    witnesses, policy = setup(binary, work, ["w1"], "quorum w1\n")
    server = serve(binary, work, policy, "--witness-fail-closed")
    problems = []
    answered(rlib.post_all(server.port, bodies[:5]), problems)
    root = os.path.join(work, "log")
    published = rlib.parse_checkpoint(rlib.read_checkpoint(root))
    witnesses[0].kill()
    results = {}
    writer = threading.Thread(target=lambda: results.__setitem__("a", rlib.post_all(server.port, bodies[5:], timeout=60)))
    writer.start()
    time.sleep(2)
    integrated = rlib.read_tree_state(root)[0]
    held = rlib.parse_checkpoint(rlib.read_checkpoint(root))
    if held[0] != published[0]:
        problems.append(f"a checkpoint was published without the quorum ({published[0]} -> {held[0]})")
    if integrated <= published[0]:
        problems.append("the entries sent meanwhile were not integrated")
    witnesses[0].start()
    writer.join()
    answers = results.get("a", [])
    answered(answers, problems)
    if any(cosigners(a.envelope, witnesses) != ["w1"] for a in answers if a.status == 201):
        problems.append("a checkpoint after the witness came back lacks its cosignature")
    finish(binary, work, server, problems)
    return problems, f"held at size {published[0]} for 2 s with {integrated} integrated, then caught up"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", required=True)
    p.add_argument("--work")
    p.add_argument("--keep", action="store_true")
    opts = p.parse_args()
    work = opts.work or tempfile.mkdtemp(prefix="rekor-witnessing.")
    os.makedirs(work, exist_ok=True)
    binary = os.path.abspath(opts.bin)
    bodies = rlib.make_bodies(work, 400, tag="witnessing")
    scenarios = (("quorum", quorum, bodies[:80]), ("killed", killed, bodies[80:160]), ("fail-open", fail_open, bodies[160:200]),
                 ("restart", restart, bodies[200:260]), ("fail-closed", fail_closed, bodies[260:300]))
    failed = rlib.run_scenarios("witnessing", scenarios, lambda scenario, name, chunk: scenario(binary, os.path.join(work, name), chunk))
    if not failed and not opts.keep and not opts.work:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
