#!/usr/bin/env bash
# Judges one `dotnet test` run from its trx file and exit status, so that a run that did not
# really run cannot pass:
#
#   tests/xunit-summary.sh RESULTS.trx EXIT_STATUS MIN_TESTS
#
# Prints "xunit: P passed, F failed (T discovered, E executed, outcome O)" and one FAIL line for
# each way the run is not sound: no trx (the host never got to a summary), an outcome other than
# Completed or Failed (aborted, a crashed test host), executed != total (tests discovered but never
# run), fewer than MIN_TESTS tests (a discovery failure, a lost class, a filter), or an exit status
# that disagrees with the counters. Exits 1 when it printed a FAIL line or a test failed, so that it
# can stand as one check for a whole run (tests/run.sh's crash test); the suite's own summary
# counts each failed test instead.
# The trx counters are used because they do not change with the console logger's verbosity.
set -uo pipefail
if [ $# -ne 3 ]; then
    echo "usage: $0 RESULTS.trx EXIT_STATUS MIN_TESTS" >&2
    exit 2
fi
trx=$1 rc=$2 min=$3
problems=0
fail() { echo "FAIL xunit: $1"; problems=1; }

if [ ! -s "$trx" ]; then
    echo "xunit: 0 passed, 0 failed (no results file)"
    fail "dotnet test wrote no results ($trx), exit status $rc: the run did not get to a summary"
    exit 1
fi
counter() { grep -o '<Counters [^>]*>' "$trx" | sed -nE "s/.* $1=\"([0-9]+)\".*/\\1/p"; }
total=$(counter total) executed=$(counter executed) passed=$(counter passed) failed=$(counter failed)
outcome=$(grep -o '<ResultSummary outcome="[^"]*"' "$trx" | sed -E 's/.*outcome="([^"]*)"/\1/')
echo "xunit: ${passed:-0} passed, ${failed:-0} failed (${total:-?} discovered, ${executed:-?} executed, outcome ${outcome:-none})"
# Which tests failed, by name (indented: the suite counts failed tests from the counters above).
grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$trx" | sed -nE 's/.* testName="([^"]*)".*/  failed test: \1/p' | head -n 20

if [ -z "$total" ] || [ -z "$executed" ] || [ -z "$passed" ] || [ -z "$failed" ]; then
    fail "the results file has no complete <Counters> element"
    exit 1
fi
case "$outcome" in
    Completed) [ "$failed" = 0 ] || fail "outcome Completed with $failed failed tests" ;;
    Failed) [ "$failed" -gt 0 ] || fail "outcome Failed without a failed test (a test host error or an aborted run)" ;;
    *) fail "run outcome '${outcome:-none}', not Completed (the test host aborted or crashed)" ;;
esac
[ "$executed" = "$total" ] || fail "$executed of $total discovered tests executed"
[ "$total" -ge "$min" ] || fail "$total tests discovered, fewer than the $min this suite has (raise XUNIT_MIN_TESTS in tests/run.sh as tests are added, never lower it to pass)"
if [ "$rc" = 0 ] && [ "$failed" != 0 ]; then fail "dotnet test exited 0 with $failed failed tests"; fi
if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then fail "dotnet test exited $rc with no failed test"; fi
[ "$problems" = 0 ] && [ "$failed" = 0 ]
