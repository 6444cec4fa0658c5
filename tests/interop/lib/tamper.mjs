// Ways to damage a serialised (JSON) bundle, each of which @sigstore/verify
// must notice. apply() returns the damaged copy, or a string saying why the
// mutation does not apply to this bundle (reported as FAIL: the harness picks a bundle to which
// every mutation applies).

const copy = (o) => structuredClone(o);
const tleOf = (b) => b.verificationMaterial.tlogEntries[0];

function flipBit(base64, at = 0) {
  const bytes = Buffer.from(base64, 'base64');
  bytes[at < 0 ? bytes.length + at : at] ^= 0x01;
  return bytes.toString('base64');
}

// Rewrites one line of the checkpoint's note text, leaving the signature as is.
function editNoteLine(bundle, line, edit) {
  const cp = tleOf(bundle).inclusionProof.checkpoint;
  const lines = cp.envelope.split('\n');
  lines[line] = edit(lines[line]);
  cp.envelope = lines.join('\n');
}

export const TAMPERS = [
  {
    name: 'digest',
    what: 'messageSignature.messageDigest.digest changed',
    apply(b) {
      b.messageSignature.messageDigest.digest = flipBit(b.messageSignature.messageDigest.digest, 0);
      return b;
    },
  },
  {
    name: 'signature',
    what: 'messageSignature.signature changed',
    apply(b) {
      b.messageSignature.signature = flipBit(b.messageSignature.signature, -1);
      return b;
    },
  },
  {
    name: 'proof-hash',
    what: 'one bit of inclusionProof.hashes[0] flipped',
    apply(b) {
      const p = tleOf(b).inclusionProof;
      if (!p.hashes?.length) return 'the inclusion proof has no hashes';
      p.hashes[0] = flipBit(p.hashes[0], 7);
      return b;
    },
  },
  {
    name: 'proof-hash-missing',
    what: 'last inclusionProof hash removed',
    apply(b) {
      const p = tleOf(b).inclusionProof;
      if (!p.hashes?.length) return 'the inclusion proof has no hashes';
      p.hashes.pop();
      return b;
    },
  },
  {
    name: 'log-index',
    what: 'logIndex (entry and proof) moved by one',
    apply(b) {
      const t = tleOf(b);
      const size = BigInt(t.inclusionProof.treeSize ?? '0');
      if (size < 2n) return 'a tree of one leaf has no other index';
      const i = BigInt(t.logIndex ?? '0');
      t.logIndex = t.inclusionProof.logIndex = String(i > 0n ? i - 1n : i + 1n);
      return b;
    },
  },
  {
    name: 'checkpoint-root',
    what: 'root hash line of the checkpoint changed (signature kept)',
    apply(b) {
      editNoteLine(b, 2, (l) => flipBit(l, -1));
      return b;
    },
  },
  {
    name: 'checkpoint-size',
    what: 'tree size line of the checkpoint incremented (signature kept)',
    apply(b) {
      editNoteLine(b, 1, (l) => String(BigInt(l) + 1n));
      return b;
    },
  },
  {
    name: 'checkpoint-origin',
    what: 'origin line of the checkpoint changed (signature kept)',
    apply(b) {
      editNoteLine(b, 0, (l) => `${l}.evil`);
      return b;
    },
  },
  {
    name: 'checkpoint-signature',
    what: "one bit of the log's checkpoint signature flipped",
    apply(b) {
      // The log's line comes first after the blank line; witnesses' cosignature lines follow it,
      // and a client that does not know a witness rightly ignores its line.
      const cp = tleOf(b).inclusionProof.checkpoint;
      cp.envelope = cp.envelope.replace(/(\n\n\u2014 \S+ )(\S+)\n/, (_, head, sig) => `${head}${flipBit(sig, -1)}\n`);
      return b;
    },
  },
  {
    name: 'canonicalized-body',
    what: 'a space appended to canonicalizedBody (same JSON, different leaf)',
    apply(b) {
      const t = tleOf(b);
      t.canonicalizedBody = Buffer.concat([Buffer.from(t.canonicalizedBody, 'base64'), Buffer.from(' ')]).toString('base64');
      return b;
    },
  },
  {
    name: 'log-id',
    what: 'logId.keyId changed',
    apply(b) {
      const t = tleOf(b);
      t.logId.keyId = flipBit(t.logId.keyId, 0);
      return b;
    },
  },
];

export function tampered(bundleJSON, tamper) {
  return tamper.apply(copy(bundleJSON));
}

// Swaps in the log entry of another bundle (a valid entry of the same log,
// for a different signature): the body check must fail.
export function withForeignEntry(bundleJSON, otherBundleJSON) {
  const b = copy(bundleJSON);
  b.verificationMaterial.tlogEntries = copy(otherBundleJSON.verificationMaterial.tlogEntries);
  return b;
}
