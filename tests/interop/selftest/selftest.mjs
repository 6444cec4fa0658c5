#!/usr/bin/env node
// Checks the harness itself, without the real server: known-answer tests of
// its log-side code, the whole harness against a well-behaved mock log (no
// FAIL allowed), and against mock logs with one fault each (the matching
// FAIL must appear). Run with: npm run selftest   (or run.sh --self-test)
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as der from '../lib/der.mjs';
import { runInterop } from '../lib/interop.mjs';
import { explain, Report } from '../lib/report.mjs';
import { auditPath, consistencyProof, entryBundlePath, leafHash, rootFromInclusionProof, treeHash, verifyCheckpoint, verifyConsistency } from '../lib/tlog.mjs';
import { LogKey } from '../lib/trust.mjs';
import { startMockLog } from './mocklog.mjs';

const out = new Report();
const unit = (name, fn) => {
  try {
    fn();
    out.pass(`selftest/${name}`);
  } catch (e) {
    out.fail(`selftest/${name}`, e.message);
  }
};

// ---- known answers ------------------------------------------------------------------------------
unit('der', () => {
  assert.equal(der.oid('1.2.840.10045.4.3.2').toString('hex'), '06082a8648ce3d040302');
  assert.equal(der.integer(128).toString('hex'), '02020080');
  assert.equal(der.integer(Buffer.from('00007f', 'hex')).toString('hex'), '02017f');
  assert.equal(der.namedBits([0]).toString('hex'), '03020780'); // digitalSignature
  assert.equal(der.namedBits([5, 6]).toString('hex'), '03020106'); // keyCertSign, cRLSign
  assert.equal(der.element(0x04, Buffer.alloc(200)).subarray(0, 3).toString('hex'), '0481c8');
  assert.equal(der.time(new Date('2049-12-31T23:59:59Z')).toString('ascii', 2), '491231235959Z');
  assert.equal(der.time(new Date('2050-01-01T00:00:00Z'))[0], 0x18);
});

// Spec §5.1/§5.3 test vectors (the rekor-tiles test key, origin rekor-local).
const TEST_KEY = `-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAREvJyNZGjX6B3DAIuD3BTg9rIwV00GY8Xg5FU+IFDUQ=\n-----END PUBLIC KEY-----\n`;
unit('log-id', () => {
  const k = new LogKey(TEST_KEY, 'rekor-local');
  assert.equal(k.logId.toString('base64'), '2AtEIMfG6Y41yK0tcwRTBS2tjhOrjKGIpDkHFgp65g0=');
  assert.equal(k.keyHint.toString('hex'), 'd80b4420');
});
unit('checkpoint-vectors', () => {
  const k = new LogKey(TEST_KEY, 'rekor-local');
  const empty = 'rekor-local\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n\u2014 rekor-local 2AtEIMW9FcaEMSaxW3Q+uG1WCwP65vde3Rllsrhb+D06rjMtNKEhhkLXmkJ4lkyWpuZpiNC29calCGi2lS9Y8iCbmQg=\n';
  assert.equal(verifyCheckpoint(empty, k).size, 0n);
  const one = 'rekor-local\n1\nUym3efeSrMCTH0BDFLAnqwbi1GjOYfydlkHmJc5gw9o=\n\n\u2014 rekor-local 2AtEIEto2rjdlosAMG1UeQxPSPDLPF/diOZaxmBU6ZUumCnIXhVrKnLhLCmYJhYatg4p1t4CBmp+m+w3CAOtQkysKwo=\n';
  assert.equal(verifyCheckpoint(one, k).size, 1n);
  assert.throws(() => verifyCheckpoint(one.replace('\n1\n', '\n2\n'), k), /does not verify/);
  assert.throws(() => verifyCheckpoint(one, new LogKey(TEST_KEY, 'rekor-other')), /origin/);
});
unit('leaf-hash-vector', () => {
  const body = '{"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"hashedRekordV002":{"data":{"algorithm":"SHA2_256","digest":"dyj4ednYHjN4/zsjjBeeLahS9slp97Z67LTAVxjrjXw="},"signature":{"content":"MEQCIB+YPa9o3SN0sQ4uduGf+mZxwFfOhFZ0Cgy+p7Vt1o2SAiAPFDHqOAJLYmvtCWOsDyNY1H4V3zm4NEDYs3NyvHh1Pg==","verifier":{"keyDetails":"PKIX_ECDSA_P256_SHA_256","publicKey":{"rawBytes":"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2slOf8eZcj2moW2t4UFj7vCL6QpDzkDqqSUmm4OJCVvIauKLxm0aGs3VMPPfauMPaMutn0/s3jg0rroFxoicyg=="}}}}}}';
  assert.equal(leafHash(Buffer.from(body)).toString('hex'), '5329b779f792acc0931f404314b027ab06e2d468ce61fc9d9641e625ce60c3da');
});
unit('inclusion-proofs', () => {
  const leaves = Array.from({ length: 21 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
  for (let size = 1; size <= leaves.length; size++) {
    const root = treeHash(leaves.slice(0, size));
    for (let i = 0; i < size; i++) {
      const proof = auditPath(i, leaves.slice(0, size));
      assert.ok(rootFromInclusionProof(i, size, leaves[i], proof).equals(root), `index ${i} size ${size}`);
      if (proof.length) assert.throws(() => rootFromInclusionProof(i, size, leaves[i], proof.slice(1)));
    }
  }
});
unit('consistency-proofs', () => {
  const leaves = Array.from({ length: 21 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
  for (let n = 1; n <= leaves.length; n++) {
    const root2 = treeHash(leaves.slice(0, n));
    for (let m = 1; m <= n; m++) {
      const root1 = treeHash(leaves.slice(0, m));
      const proof = m === n ? [] : consistencyProof(m, leaves.slice(0, n));
      assert.ok(verifyConsistency(m, n, root1, root2, proof), `${m} -> ${n}`);
      if (proof.length) {
        assert.ok(!verifyConsistency(m, n, root1, root2, proof.slice(1)), `${m} -> ${n} short`);
        assert.ok(!verifyConsistency(m, n, root1, root2, [leaves[0], ...proof.slice(1)]), `${m} -> ${n} changed`);
      }
      if (m < n) assert.ok(!verifyConsistency(m, n, root2, root2, proof), `${m} -> ${n} wrong old root`);
    }
  }
  // RFC 9162 §2.1.4's example: from 3 leaves to 7 the proof is [c, d, g, l].
  assert.equal(consistencyProof(3, leaves.slice(0, 7)).length, 4);
});
unit('entry-bundle-paths', () => {
  assert.equal(entryBundlePath(0, 3), 'tile/entries/000.p/3');
  assert.equal(entryBundlePath(255, 256), 'tile/entries/000');
  assert.equal(entryBundlePath(300, 1000), 'tile/entries/001');
  assert.equal(entryBundlePath(999, 1000), 'tile/entries/003.p/232');
  assert.equal(entryBundlePath(256 * 1234 + 5, 256 * 1234 + 6), 'tile/entries/x001/234.p/6');
  assert.equal(entryBundlePath(256n * 1002003n, 256n * 1002004n), 'tile/entries/x001/x002/003');
});

// ---- the harness against mock logs --------------------------------------------------------------
const ORIGIN = 'mock.interop.rekor-posix.test';

async function harnessAgainst(faults, storageDir) {
  const log = await startMockLog({ origin: ORIGIN, faults, storageDir });
  const lines = [];
  const report = new Report((line) => lines.push(line));
  try {
    await runInterop({ url: log.url, origin: ORIGIN, logKeyPem: log.logKeyPem, logId: log.logId, storageDir, concurrency: 4, timeoutMs: 10000 }, report);
  } catch (e) {
    report.fail('harness', explain(e));
  } finally {
    await log.close();
  }
  return { report, lines };
}

{
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'interop-selftest-'));
  const { report, lines } = await harnessAgainst([], dir);
  fs.rmSync(dir, { recursive: true, force: true });
  const fails = lines.filter((l) => !l.startsWith('PASS') && !l.startsWith('INFO'));
  out.check('selftest/good-log', fails.length === 0 && report.counts.passed >= 30, `${report.summary()}: ${fails.join(' / ')}`, report.summary());
  if (process.argv.includes('--verbose')) for (const l of lines) console.log(`    ${l}`);
}

// Each fault must turn up as a FAIL of the named check.
const FAULTS = {
  'wrong-log-id': ['FAIL tle/log-id', 'FAIL verify/bundle', 'FAIL api/response-json'],
  'bad-proof': ['FAIL concurrent/entries', 'FAIL concurrent/verify'],
  'proof-root-mismatch': ['FAIL tle/proof-matches-checkpoint'],
  'no-dedup': ['FAIL duplicate/409'],
  'accept-bad-signature': ['FAIL reject/bad-signature'],
  'no-write-api': ['FAIL sign/signing-config', 'FAIL concurrent/sign'],
};
for (const [fault, expected] of Object.entries(FAULTS)) {
  const { lines } = await harnessAgainst([fault]);
  const missing = expected.filter((e) => !lines.some((l) => l.startsWith(`${e}:`) || l.startsWith(`${e} `)));
  out.check(`selftest/catches-${fault}`, missing.length === 0, `missing ${missing.join(', ')}; got ${lines.filter((l) => !l.startsWith('PASS')).join(' / ')}`);
}

// A key pair the harness did not make must not verify the mock's checkpoints.
unit('foreign-key-rejected', () => {
  const stranger = new LogKey(crypto.generateKeyPairSync('ed25519').publicKey, 'rekor-local');
  const one = 'rekor-local\n1\nUym3efeSrMCTH0BDFLAnqwbi1GjOYfydlkHmJc5gw9o=\n\n\u2014 rekor-local 2AtEIEto2rjdlosAMG1UeQxPSPDLPF/diOZaxmBU6ZUumCnIXhVrKnLhLCmYJhYatg4p1t4CBmp+m+w3CAOtQkysKwo=\n';
  assert.throws(() => verifyCheckpoint(one, stranger), /key hint|does not verify/);
});

console.log(out.summary());
process.exit(out.counts.failed === 0 ? 0 : 1);
