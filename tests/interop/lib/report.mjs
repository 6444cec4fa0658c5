// Output contract of the harness: one line per check,
//   PASS name [(detail)]     FAIL name: reason
// plus INFO lines; only FAIL lines make the run fail. There is no SKIP: the harness makes
// everything it checks, so a check that cannot run is a failure (run.sh alone may skip the
// whole harness, for a dependency it could not install).
const flat = (s) => String(s ?? '').replace(/\s*\n\s*/g, ' | ').slice(0, 800);

export class Report {
  constructor(write = (line) => console.log(line)) {
    this.write = write;
    this.counts = { passed: 0, failed: 0 };
    this.lines = [];
  }
  emit(line) {
    this.lines.push(line);
    this.write(line);
  }
  pass(name, detail) {
    this.counts.passed++;
    this.emit(`PASS ${name}${detail ? ` (${flat(detail)})` : ''}`);
  }
  fail(name, reason) {
    this.counts.failed++;
    this.emit(`FAIL ${name}: ${flat(reason) || 'failed'}`);
  }
  info(name, text) {
    this.emit(`INFO ${name}: ${flat(text)}`);
  }
  // Records ok ? PASS : FAIL and returns ok.
  check(name, ok, reason, detail) {
    if (ok) this.pass(name, detail);
    else this.fail(name, reason);
    return ok;
  }
  summary() {
    const { passed, failed } = this.counts;
    return `${passed} passed, ${failed} failed`;
  }
}

// sigstore-js wraps errors (InternalError -> HTTPError ...): show the chain.
export function explain(e) {
  const parts = [];
  for (let cur = e, depth = 0; cur && depth < 6; cur = cur.cause, depth++) {
    parts.push(`${cur.code ? `[${cur.code}] ` : ''}${cur.message ?? cur}`);
  }
  return parts.join(' <- ');
}

// The HTTP status somewhere in a sigstore-js error chain, if any.
export function statusOf(e) {
  for (let cur = e, depth = 0; cur && depth < 6; cur = cur.cause, depth++) {
    if (typeof cur.statusCode === 'number') return cur.statusCode;
  }
  return undefined;
}
