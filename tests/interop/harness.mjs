#!/usr/bin/env node
// Interop test of a running rekor-server-posix with the published sigstore-js
// packages. Normally started by run.sh, which sets up the server.
//
//   node harness.mjs --url http://127.0.0.1:PORT --origin ORIGIN --log-key LOG_PUBLIC_KEY.pem
//        [--log-id BASE64] [--storage-dir DIR | --read-url URL] [--concurrency N] [--timeout MS] [--out-dir DIR]
//        [--opt-ins]   (a server started with --duplicate-returns-entry --checkpoint-history --search-index:
//                       sign twice, resubmit, check the proof, history and search routes)
//        [--no-search] (with --opt-ins: a flavour without a search index: no search checks, and the
//                       lookup by leaf hash must be refused naming --search-index)
//
// Prints PASS/FAIL lines, then "N passed, M failed"; exits 1 on any FAIL.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { runInterop } from './lib/interop.mjs';
import { explain, Report } from './lib/report.mjs';

const { values: a } = parseArgs({
  options: {
    url: { type: 'string' },
    origin: { type: 'string' },
    'log-key': { type: 'string' },
    'log-id': { type: 'string' },
    'storage-dir': { type: 'string' },
    'read-url': { type: 'string' },
    'trusted-base-url': { type: 'string' },
    concurrency: { type: 'string', default: '6' },
    timeout: { type: 'string', default: '30000' },
    'out-dir': { type: 'string' },
    'opt-ins': { type: 'boolean', default: false },
    'no-search': { type: 'boolean', default: false },
  },
});
if (!a.url || !a.origin || !a['log-key']) {
  console.error('usage: harness.mjs --url URL --origin ORIGIN --log-key PEM_FILE [--log-id B64] [--storage-dir DIR | --read-url URL] [--concurrency N] [--timeout MS] [--out-dir DIR]');
  process.exit(2);
}

const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.log(`FAIL setup/node: Node ${process.versions.node}; @sigstore/sign 5 needs Node >= 22`);
  process.exit(1);
}

const report = new Report();
try {
  await runInterop({
    url: a.url,
    origin: a.origin,
    logKeyPem: fs.readFileSync(a['log-key'], 'utf8'),
    logId: a['log-id'],
    storageDir: a['storage-dir'],
    readUrl: a['read-url'],
    trustedBaseUrl: a['trusted-base-url'],
    concurrency: Number(a.concurrency),
    timeoutMs: Number(a.timeout),
    outDir: a['out-dir'],
    optIns: a['opt-ins'],
    noSearch: a['no-search'],
  }, report);
} catch (e) {
  report.fail('harness', `${explain(e)}\n${e.stack ?? ''}`);
}
console.log(report.summary());
process.exit(report.counts.failed === 0 ? 0 : 1);
