// Log-side checks written independently of sigstore-js: signed-note
// checkpoints (C2SP tlog-checkpoint), RFC 6962 hashing and inclusion proofs,
// RFC 8785 canonical JSON, and the tlog-tiles entry bundle layout.
import crypto from 'node:crypto';

const EM_DASH = '\u2014';

// Splits a signed note into its text and signature lines; throws on any
// deviation from the format the spec (§5.1) prescribes.
export function parseCheckpoint(envelope) {
  if (!envelope.endsWith('\n')) throw new Error('envelope does not end with a newline');
  const cut = envelope.indexOf('\n\n');
  if (cut < 0) throw new Error('no blank line between the note text and its signatures');
  const text = envelope.slice(0, cut + 1);
  const [origin, sizeLine, rootLine, ...extensions] = text.slice(0, -1).split('\n');
  if (rootLine === undefined) throw new Error('note text has fewer than three lines');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeLine)) throw new Error(`tree size line ${JSON.stringify(sizeLine)} is not a decimal without leading zeros`);
  const rootHash = Buffer.from(rootLine, 'base64');
  if (rootHash.length !== 32 || rootHash.toString('base64') !== rootLine) throw new Error(`root hash line ${JSON.stringify(rootLine)} is not 32 bytes of padded base64`);
  const signatures = envelope
    .slice(cut + 2, -1)
    .split('\n')
    .map((line) => {
      const m = new RegExp(`^${EM_DASH} (\\S+) (\\S+)$`).exec(line);
      if (!m) throw new Error(`signature line ${JSON.stringify(line)} is malformed`);
      const blob = Buffer.from(m[2], 'base64');
      if (blob.length < 5) throw new Error('signature line is too short');
      return { name: m[1], keyHint: blob.subarray(0, 4), signature: blob.subarray(4) };
    });
  return { text, origin, size: BigInt(sizeLine), rootHash, extensions, signatures };
}

// The checkpoint must carry a signature by logKey under its origin that verifies.
export function verifyCheckpoint(envelope, logKey) {
  const cp = parseCheckpoint(envelope);
  if (cp.origin !== logKey.origin) throw new Error(`checkpoint origin ${JSON.stringify(cp.origin)}, expected ${JSON.stringify(logKey.origin)}`);
  const ours = cp.signatures.filter((s) => s.name === logKey.origin && s.keyHint.equals(logKey.keyHint));
  if (ours.length === 0) throw new Error(`no signature line by ${logKey.origin} with key hint ${logKey.keyHint.toString('hex')}`);
  if (!ours.some((s) => logKey.verifyNote(cp.text, s.signature))) throw new Error('the log signature does not verify with the log key');
  return cp;
}

const sha256 = (...parts) => {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
export const leafHash = (leaf) => sha256(Buffer.of(0), leaf);
export const nodeHash = (left, right) => sha256(Buffer.of(1), left, right);

// RFC 9162 §2.1.3.2: recompute the root from leaf index, tree size, leaf hash
// and audit path. Returns the root, or throws if the path has the wrong length.
export function rootFromInclusionProof(index, size, leaf, path) {
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  if (fn > sn) throw new Error(`leaf index ${index} is outside a tree of size ${size}`);
  let r = leaf;
  for (const p of path) {
    if (sn === 0n) throw new Error('audit path is longer than the tree is deep');
    if (fn % 2n === 1n || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2n === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new Error('audit path is shorter than the tree is deep');
  return r;
}

// RFC 9162 §2.1.4.2: check a consistency proof from (size1, root1) to
// (size2, root2). Returns true or false; throws on sizes that make no proof.
export function verifyConsistency(size1, size2, root1, root2, proof) {
  const m = BigInt(size1);
  const n = BigInt(size2);
  if (m > n) throw new Error(`first size ${size1} is larger than second size ${size2}`);
  if (m === n) return proof.length === 0 && root1.equals(root2);
  if (m === 0n) return proof.length === 0;
  const path = [...proof];
  // A first tree that is a full subtree is its own first node.
  if ((m & (m - 1n)) === 0n) path.unshift(root1);
  if (path.length === 0) return false;
  let fn = m - 1n;
  let sn = n - 1n;
  while (fn % 2n === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if (fn % 2n === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2n === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && fr.equals(root1) && sr.equals(root2);
}

// Merkle tree hash of a list of leaves (RFC 6962 §2.1), for the self-test log.
export function treeHash(leafHashes) {
  if (leafHashes.length === 0) return sha256(Buffer.alloc(0));
  if (leafHashes.length === 1) return leafHashes[0];
  let k = 1;
  while (k * 2 < leafHashes.length) k *= 2;
  return nodeHash(treeHash(leafHashes.slice(0, k)), treeHash(leafHashes.slice(k)));
}

// Audit path for leaf m in a tree of the given leaves (RFC 6962 §2.1.1).
export function auditPath(m, leafHashes) {
  if (leafHashes.length <= 1) return [];
  let k = 1;
  while (k * 2 < leafHashes.length) k *= 2;
  return m < k
    ? [...auditPath(m, leafHashes.slice(0, k)), treeHash(leafHashes.slice(k))]
    : [...auditPath(m - k, leafHashes.slice(k)), treeHash(leafHashes.slice(0, k))];
}

// Consistency proof from the first m leaves to all of them (RFC 6962 §2.1.2), for the self-test.
export function consistencyProof(m, leafHashes, complete = true) {
  const n = leafHashes.length;
  if (m === n) return complete ? [] : [treeHash(leafHashes)];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return m <= k
    ? [...consistencyProof(m, leafHashes.slice(0, k), complete), treeHash(leafHashes.slice(k))]
    : [...consistencyProof(m - k, leafHashes.slice(k), false), treeHash(leafHashes.slice(0, k))];
}

// RFC 8785 for the values a Rekor v2 entry body can hold (no numbers are
// ever present: protojson writes int64 as strings and the body has none).
export function canonicalJSON(value) {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error('non-integer number in an entry body');
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJSON).join(',')}]`;
  // Sorting JS strings with < compares UTF-16 code units, as RFC 8785 wants.
  const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(value[k])}`).join(',')}}`;
}

// tlog-tiles: the entry bundle holding entry `index` of a tree of `size`.
export function entryBundlePath(index, size) {
  const n = BigInt(index) / 256n;
  const groups = [];
  let rest = n;
  do {
    groups.unshift(String(rest % 1000n).padStart(3, '0'));
    rest /= 1000n;
  } while (rest > 0n);
  const path = groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
  const width = BigInt(size) - n * 256n;
  return `tile/entries/${path}${width >= 256n ? '' : `.p/${width}`}`;
}

// Entry bundle: a sequence of (uint16 big-endian length, entry bytes).
export function splitEntryBundle(bytes) {
  const entries = [];
  for (let at = 0; at < bytes.length; ) {
    if (at + 2 > bytes.length) throw new Error('entry bundle ends inside a length prefix');
    const n = bytes.readUInt16BE(at);
    if (at + 2 + n > bytes.length) throw new Error('entry bundle ends inside an entry');
    entries.push(bytes.subarray(at + 2, at + 2 + n));
    at += 2 + n;
  }
  return entries;
}
