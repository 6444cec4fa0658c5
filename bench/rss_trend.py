#!/usr/bin/env python3
"""The soak's memory trend: does the server's RSS keep growing once it has warmed up?

    python3 bench/rss_trend.py SOAK_OUTPUT   # the output of `rekor-bench soak` (bench/soak.sh's soak.txt)
    python3 bench/rss_trend.py --self-test   # the rule against synthetic series

Reads the sample lines `rekor-bench soak` prints every 10 s ("[   120 s] ... | server rss 70.8 MiB,
..."), prints the RSS start / p50 / p90 / max / end over them, then the trend after a warm-up:
the first 10 minutes of a soak, or its first third when that is shorter (a soak under 30 minutes,
such as the 60 s one of tests/run.sh). The window is every sample after the warm-up (in a
30-minute soak, its last two thirds). Exit 0 when RSS does not keep growing, 1 when it does or
when there are too few samples to tell (no verdict is not a pass).

The rule. RSS is fitted by least squares over the window; the fitted growth is slope x the window's
length. RSS keeps growing when all three hold:
  1. the fitted growth exceeds LIMIT = max(10 MiB, 5% of the p50). Relative, because what the
     server holds scales with its load (36 MiB idle, 330-410 MiB after 30 minutes at 80% of
     capacity): 5% is about 20 MiB there, 1 MiB a minute over the 20-minute window of a 30-minute
     soak, so a leak of 2 MiB a minute cannot hide behind it, and a window of hours is
     proportionally finer (15 MiB an hour over a 2-hour soak). The 10 MiB floor is for small
     servers and short windows: the heap steps by a few MiB at a time (3.6 MiB between two
     samples of a 160 writes/s run at 70 MiB), and a step in the last sample of the 30-s window
     of the 60-s CI soak fits to a growth of about 6 MiB, which is no trend. So a short soak
     catches only a gross leak (over 20 MiB a minute in CI): that is all a minute can tell.
  2. the mean of the window's second half (by time) is above the mean of its first half (in a
     30-minute soak: the last third above the middle third), so a noisy but flat series whose fit tilts by
     chance is not a leak: the two statistics must agree.
  3. the second half's own fitted growth, per the same window length, exceeds LIMIT / 2: it is
     still growing at the end. RSS that rose after the warm-up and then levelled off is bounded
     (caches filling: the 64 MiB tile cache, the dedup LRU, the SQLite page caches as the index
     grows) and passes; a leak grows at the same rate in both halves, so it fails. Half the limit
     leaves a leak just over the limit room for the noise of a fit on half the samples. The
     30-minute runs of RELIABILITY.md rose until minute 20-25: by their 5-minute means, runs 1
     and 3 then levelled off and pass, run 2 still rose 3 MiB in its last 5 minutes and fails;
     without this condition all three would fail.
What a 30-minute soak can tell is limited by the noise: with GC swings of sd 25 MiB between
samples (RELIABILITY.md saw +-50 MiB), the rule flags a 2 MiB/min leak 9 times in 10 and a flat
series 3 times in 1,000, but also a run shaped like run 3 about 3 times in 10 (with sd 10 MiB:
every leak, and run 3 about 1 time in 8). Over a 2-hour soak, 100 simulated series of each
(sd 25 MiB) were all judged right: flat, run 3's shape, a 15 MiB/h leak.
A GC sawtooth (RSS climbs, a collection gives memory back, it climbs again) fits to a small slope
over a window of several periods and passes; the self-test holds the rule to that.
"""
import math
import random
import re
import sys

WARMUP_SECONDS = 600  # the first ten minutes, or the first third of a shorter soak
FLOOR_MIB = 10.0
SHARE_OF_P50 = 0.05
MIN_WINDOW_SAMPLES = 4  # two a half at least: fewer fit nothing

SAMPLE = re.compile(r"^\[\s*(\d+(?:\.\d+)?) s(?:, the rest)?\].*\| server rss (\d+(?:\.\d+)?) MiB")


def parse(lines):
    """(seconds, rss MiB) of every sample line that has the server's RSS."""
    out = []
    for line in lines:
        m = SAMPLE.match(line)
        if m:
            out.append((float(m.group(1)), float(m.group(2))))
    return out


def percentile(values, q):
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    s = sorted(values)
    return s[max(0, math.ceil(q * len(s)) - 1)]


def fit(points):
    """Least-squares slope (MiB/s) of (t, v) points."""
    n = len(points)
    tm = sum(t for t, _ in points) / n
    vm = sum(v for _, v in points) / n
    stt = sum((t - tm) ** 2 for t, _ in points)
    return sum((t - tm) * (v - vm) for t, v in points) / stt if stt > 0 else 0.0


def mean(values):
    return sum(values) / len(values)


def judge(samples):
    """The rule on (t, MiB) samples: a dict of the figures, with 'growing' True/False, or None when
    there are too few samples after the warm-up to tell."""
    rss = [v for _, v in samples]
    r = {"n": len(samples)}
    if not samples:
        r["growing"] = None
        return r
    r.update(start=rss[0], p50=percentile(rss, 0.5), p90=percentile(rss, 0.9), max=max(rss), end=rss[-1],
             first_t=samples[0][0], last_t=samples[-1][0])
    duration = samples[-1][0]
    r["long"] = duration >= 3 * WARMUP_SECONDS
    r["warmup"] = WARMUP_SECONDS if r["long"] else duration / 3
    window = [(t, v) for t, v in samples if t > r["warmup"]]
    r["window_n"] = len(window)
    r["limit"] = max(FLOOR_MIB, SHARE_OF_P50 * r["p50"])
    # Halves by time, not by count: the soak's last sample ("the rest") may come a second after
    # the one before, and a half of two samples a second apart would fit to any slope.
    mid = (window[0][0] + window[-1][0]) / 2 if window else 0
    first, second = [p for p in window if p[0] < mid], [p for p in window if p[0] >= mid]
    if len(window) < MIN_WINDOW_SAMPLES or len(first) < 2 or len(second) < 2:
        r["growing"] = None
        return r
    span = window[-1][0] - window[0][0]
    slope = fit(window)
    r.update(w_from=window[0][0], w_to=window[-1][0], span=span, slope_h=slope * 3600, growth=slope * span,
             mean1=mean([v for _, v in first]), mean2=mean([v for _, v in second]),
             growth2=fit(second) * span)
    r["growing"] = r["growth"] > r["limit"] and r["mean2"] > r["mean1"] and r["growth2"] > r["limit"] / 2
    return r


def report(r):
    """The lines the soak prints, and the check's figures."""
    if r["n"] == 0:
        return ["rss: no sample line with the server's RSS"], "no sample"
    lines = [f"rss MiB over {r['n']} samples ({r['first_t']:.0f}-{r['last_t']:.0f} s): start {r['start']:.1f}, "
             f"p50 {r['p50']:.1f}, p90 {r['p90']:.1f}, max {r['max']:.1f}, end {r['end']:.1f}"]
    warm = ("the first 10 minutes (a long soak)" if r["long"]
            else f"the first third, {r['warmup']:.0f} s (a short soak, under 30 minutes)")
    if r["growing"] is None:
        lines.append(f"rss trend: warm-up {warm}; {r['window_n']} samples after it, too few for a trend "
                     f"(at least {MIN_WINDOW_SAMPLES}, two in each half): no verdict")
        return lines, f"only {r['window_n']} samples after the warm-up"
    lines.append(f"rss trend: warm-up {warm}; window {r['w_from']:.0f}-{r['w_to']:.0f} s ({r['window_n']} samples): "
                 f"slope {r['slope_h']:+.1f} MiB/h, fitted growth {r['growth']:+.1f} MiB over {r['span']:.0f} s")
    lines.append(f"rss rule: growing = fitted growth > {r['limit']:.1f} MiB (max(10 MiB, 5% of p50)): "
                 f"{'yes' if r['growth'] > r['limit'] else 'no'}; "
                 f"second-half mean {r['mean2']:.1f} > first-half mean {r['mean1']:.1f}: "
                 f"{'yes' if r['mean2'] > r['mean1'] else 'no'}; "
                 f"second half still growing, {r['growth2']:+.1f} > {r['limit'] / 2:.1f} MiB: "
                 f"{'yes' if r['growth2'] > r['limit'] / 2 else 'no'} -> {'GROWING' if r['growing'] else 'not growing'}")
    return lines, (f"slope {r['slope_h']:+.0f} MiB/h over {r['w_from']:.0f}-{r['w_to']:.0f} s, "
                   f"fitted growth {r['growth']:+.1f} MiB, limit {r['limit']:.1f} MiB")


# ---- self-test ------------------------------------------------------------------------------------
def series(seconds, f, step=10, noise=0.0, seed=1):
    """Samples every `step` s up to `seconds` of f(t), with gaussian noise, as the soak takes them."""
    rng = random.Random(seed)
    return [(t, f(t) + rng.gauss(0, noise)) for t in range(step, seconds + 1, step)]


def sawtooth(low, high, period, phase=0.0):
    return lambda t: low + (high - low) * (((t + phase) % period) / period)


def through(means, step=300):
    """RSS through 5-minute means (RELIABILITY.md's runs), straight between their midpoints."""
    def f(t):
        x = min(max(t - step / 2, 0), step * (len(means) - 1)) / step
        i = min(int(x), len(means) - 2)
        return means[i] + (means[i + 1] - means[i]) * (x - i)
    return f


def self_test():
    bad = []

    def expect(name, samples, want):
        got = judge(samples)["growing"]
        if got is not want:
            bad.append(f"{name}: growing={got}, expected {want}")

    def share(name, f, noise, seeds, want, at_least, seconds=1800):
        # Noise makes single series right or wrong by chance: the rule is held to its rate over
        # many seeded series (the seeds are fixed, so the test is deterministic).
        right = sum(judge(series(seconds, f, noise=noise, seed=s))["growing"] is want for s in range(seeds))
        if right < at_least * seeds:
            bad.append(f"{name}: right for {right} of {seeds} seeded series, fewer than {at_least:.0%}")
        return right

    # Flat with GC noise (RELIABILITY.md: swings of +-50 MiB between samples, about sd 25).
    share("30 min flat 400 MiB, noise sd 25", lambda t: 400, 25, 200, False, 0.98)
    share("30 min flat 400 MiB, noise sd 10", lambda t: 400, 10, 50, False, 1.0)
    share("2 h flat 400 MiB, noise sd 25", lambda t: 400, 25, 20, False, 1.0, seconds=7200)
    expect("30 min flat 400 MiB, one 150 MiB spike in the last sample", series(1800, lambda t: 400)[:-1] + [(1800, 550.0)], False)
    # A GC sawtooth: climbs 350 -> 450 MiB, a collection gives 100 MiB back; any phase.
    for period in (60, 120, 170, 240, 300):
        for phase in range(10):
            expect(f"30 min GC sawtooth 350-450 MiB, period {period} s, phase {phase}/10",
                   series(1800, sawtooth(350, 450, period, phase * period / 10)), False)
    # Rises after the warm-up, then levels off: RELIABILITY.md's runs 1 and 3 by their 5-minute
    # means. Run 2 still rose 3 MiB in its last 5 minutes: growing.
    expect("run 1's 5-minute means", series(1800, through([206, 289, 327, 352, 363, 362])), False)
    expect("run 3's 5-minute means", series(1800, through([312, 338, 378, 403, 408, 407])), False)
    expect("run 2's 5-minute means", series(1800, through([226, 257, 280, 311, 332, 335])), True)
    # The 120 s run at 160 writes/s's first minute, then with its 3.6 MiB heap step moved into
    # the last samples: the floor, not a trend.
    ci = [(10, 65.2), (20, 65.2), (30, 67.1), (40, 66.9), (50, 68.5), (60, 68.8), (61, 68.8)]
    expect("60 s CI run as measured", ci, False)
    expect("60 s CI run, a 3.6 MiB heap step in the last samples", ci[:5] + [(60, 72.4), (61, 73.0)], False)
    expect("60 s CI run, flat 68 MiB, noise sd 1", series(61, lambda t: 68, noise=1, seed=3), False)
    expect("120 s run rising 65 -> 72 MiB in its first 70 s, then flat",
           series(121, lambda t: 65 + min(t, 70) / 10, noise=1, seed=2), False)
    # Steady leaks.
    share("30 min leak 2 MiB/min, noise sd 10", lambda t: 300 + 2 * t / 60, 10, 50, True, 1.0)
    share("30 min leak 2 MiB/min, noise sd 25", lambda t: 300 + 2 * t / 60, 25, 200, True, 0.8)
    share("2 h leak 15 MiB/h, noise sd 25", lambda t: 300 + t / 240, 25, 20, True, 1.0, seconds=7200)
    for period in (60, 170, 300):
        expect(f"30 min leak 2 MiB/min under a 350-450 MiB GC sawtooth, period {period} s",
               series(1800, lambda t: sawtooth(350, 450, period)(t) + 2 * t / 60), True)
    expect("30 min leak 2 MiB/min from minute 15 on", series(1800, lambda t: 300 + 2 * max(0, t - 900) / 60, noise=10), True)
    expect("60 s CI run, leak 30 MiB/min", series(61, lambda t: 60 + t / 2, noise=1), True)
    expect("20 s run (too few samples: no verdict)", series(20, lambda t: 68), None)
    for line in bad:
        print(f"rss_trend self-test: FAILED {line}")
    print(f"rss_trend self-test: {'all cases as expected' if not bad else f'{len(bad)} cases not as expected'}")
    return 1 if bad else 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8", errors="replace") as f:
        r = judge(parse(f))
    lines, figures = report(r)
    print("\n".join(lines))
    print(f"rss check: {figures}")
    return 0 if r["growing"] is False else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
