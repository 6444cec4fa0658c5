// A small in-memory Rekor v2 write API, for checking the harness itself
// (selftest.mjs) without the real server. It follows spec §3 and §4 for what
// sigstore-js sends, can write the tlog-tiles files a POSIX log would, and can
// be told to misbehave in named ways ("faults") that the harness must catch.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { auditPath, canonicalJSON, entryBundlePath, leafHash, treeHash } from '../lib/tlog.mjs';
import { LogKey } from '../lib/trust.mjs';

// ---- ECDSA P-256 verification of a prehashed digest (Node's crypto always
// hashes the message itself, the log only has the digest).
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const G = [0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n, 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n];
const mod = (a, m) => ((a % m) + m) % m;
function inverse(a, m) {
  let [r0, r1, s0, s1] = [mod(a, m), m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
  }
  return mod(s0, m);
}
function add(p1, p2) {
  if (!p1) return p2;
  if (!p2) return p1;
  const [x1, y1] = p1;
  const [x2, y2] = p2;
  let l;
  if (x1 === x2) {
    if (mod(y1 + y2, P) === 0n) return null;
    l = mod((3n * x1 * x1 - 3n) * inverse(2n * y1, P), P);
  } else {
    l = mod((y2 - y1) * inverse(x2 - x1, P), P);
  }
  const x3 = mod(l * l - x1 - x2, P);
  return [x3, mod(l * (x1 - x3) - y1, P)];
}
function multiply(k, point) {
  let acc = null;
  for (let q = point; k > 0n; k >>= 1n, q = add(q, q)) if (k & 1n) acc = add(acc, q);
  return acc;
}
const toBig = (b) => BigInt(`0x${Buffer.from(b).toString('hex') || '0'}`);
function verifyP256Digest(publicKey, digest, signature) {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const q = [toBig(spki.subarray(-64, -32)), toBig(spki.subarray(-32))];
  // SEQUENCE { INTEGER r, INTEGER s }, short lengths only (P-256 fits).
  if (signature[0] !== 0x30 || signature[2] !== 0x02) return false;
  const rLen = signature[3];
  const r = toBig(signature.subarray(4, 4 + rLen));
  if (signature[4 + rLen] !== 0x02) return false;
  const s = toBig(signature.subarray(6 + rLen, 6 + rLen + signature[5 + rLen]));
  if (r <= 0n || r >= N || s <= 0n || s >= N) return false;
  const w = inverse(s, N);
  const point = add(multiply(mod(toBig(digest) * w, N), G), multiply(mod(r * w, N), q));
  return point !== null && mod(point[0], N) === r;
}

// ---- the log
export async function startMockLog({ origin, faults = [], storageDir } = {}) {
  const fault = new Set(faults);
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const logKey = new LogKey(publicKey, origin);
  const leaves = [];
  const hashes = [];
  const seen = new Map(); // SHA-256(body) -> index

  const note = (size, root) => {
    const text = `${origin}\n${size}\n${root.toString('base64')}\n`;
    const sig = Buffer.concat([logKey.keyHint, crypto.sign(null, Buffer.from(text), privateKey)]);
    return `${text}\n\u2014 ${origin} ${sig.toString('base64')}\n`;
  };

  function publish() {
    if (!storageDir) return;
    const size = leaves.length;
    const first = Math.floor((size - 1) / 256) * 256;
    const file = path.join(storageDir, entryBundlePath(size - 1, size));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.concat(leaves.slice(first).flatMap((l) => [Buffer.from([l.length >> 8, l.length & 0xff]), l])));
    fs.writeFileSync(path.join(storageDir, 'checkpoint'), note(size, treeHash(hashes)));
  }

  function createEntry(request) {
    const hr = request?.hashedRekordRequestV002;
    const digest = Buffer.from(hr?.digest ?? '', 'base64');
    const sig = hr?.signature;
    const certDer = Buffer.from(sig?.verifier?.x509Certificate?.rawBytes ?? '', 'base64');
    let valid = digest.length === 32 && sig?.verifier?.keyDetails === 'PKIX_ECDSA_P256_SHA_256' && certDer.length > 0;
    if (valid && !fault.has('accept-bad-signature')) {
      try {
        valid = verifyP256Digest(new crypto.X509Certificate(certDer).publicKey, digest, Buffer.from(sig.content, 'base64'));
      } catch {
        valid = false;
      }
    }
    if (!valid) return [400, { code: 3, message: 'invalid hashedrekord request', details: [] }];
    const body = Buffer.from(canonicalJSON({
      apiVersion: '0.0.2',
      kind: 'hashedrekord',
      spec: { hashedRekordV002: { data: { algorithm: 'SHA2_256', digest: hr.digest }, signature: { content: sig.content, verifier: { keyDetails: sig.verifier.keyDetails, x509Certificate: { rawBytes: sig.verifier.x509Certificate.rawBytes } } } } },
    }));
    const id = crypto.createHash('sha256').update(body).digest('hex');
    if (seen.has(id) && !fault.has('no-dedup')) {
      const i = seen.get(id);
      return [409, { code: 6, message: `an equivalent entry already exists in the transparency log with index ${i}`, details: [] }, { 'X-Log-Index': String(i) }];
    }
    const index = leaves.length;
    seen.set(id, index);
    leaves.push(body);
    hashes.push(leafHash(body));
    publish();
    const size = leaves.length;
    const root = treeHash(hashes);
    const proofHashes = auditPath(index, hashes).map((h) => h.toString('base64'));
    if (fault.has('bad-proof') && proofHashes.length) proofHashes[0] = Buffer.alloc(32, 7).toString('base64');
    const logId = fault.has('wrong-log-id') ? crypto.randomBytes(32) : logKey.logId;
    return [201, {
      logIndex: String(index),
      logId: { keyId: logId.toString('base64') },
      kindVersion: { kind: 'hashedrekord', version: '0.0.2' },
      integratedTime: '0',
      inclusionPromise: null,
      inclusionProof: {
        logIndex: String(index),
        rootHash: (fault.has('proof-root-mismatch') ? Buffer.alloc(32, 9) : root).toString('base64'),
        treeSize: String(size),
        hashes: proofHashes,
        checkpoint: { envelope: note(size, root) },
      },
      canonicalizedBody: body.toString('base64'),
    }];
  }

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const send = (status, json, headers = {}) => res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(json));
      if (req.url === '/healthz') return send(200, { status: 'SERVING' });
      if (req.method !== 'POST' || req.url !== '/api/v2/log/entries' || fault.has('no-write-api')) return send(404, { code: 5, message: 'Not Found', details: [] });
      let request;
      try {
        request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(400, { code: 3, message: 'bad JSON', details: [] });
      }
      // Answer a moment later, like a batching log, so requests overlap.
      setTimeout(() => send(...createEntry(request)), 20);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    logKeyPem: publicKey.export({ type: 'spki', format: 'pem' }),
    logId: logKey.logId.toString('base64'),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
