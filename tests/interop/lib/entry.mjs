// What the harness itself demands of a TransparencyLogEntry in a bundle that
// @sigstore/sign produced against the log (spec §3, §4.1, §5). sigstore-js
// checks less than this: it never compares inclusionProof.rootHash/treeSize
// with the checkpoint, nor looks at integratedTime of a v2 entry.
import { canonicalJSON, leafHash, rootFromInclusionProof, verifyCheckpoint } from './tlog.mjs';

export const certificateOf = (bundleJSON) => {
  const vm = bundleJSON.verificationMaterial;
  return vm.certificate?.rawBytes ?? vm.x509CertificateChain?.certificates?.[0]?.rawBytes;
};

// Serialised bundles drop zero-valued int64 fields, so a missing index is 0.
export const indexOf = (tle) => BigInt(tle?.logIndex ?? '0');

/**
 * Returns [{ name, ok, detail }] for one bundle's single tlog entry.
 * logKey: a LogKey (origin, logId, key).
 */
export function inspectEntry(bundleJSON, logKey) {
  const results = [];
  const check = (name, fn) => {
    try {
      const detail = fn();
      results.push({ name, ok: true, detail: detail ?? '' });
    } catch (e) {
      results.push({ name, ok: false, detail: e.message });
    }
  };
  const expect = (cond, message) => {
    if (!cond) throw new Error(message);
  };
  const entries = bundleJSON.verificationMaterial?.tlogEntries ?? [];
  check('tle/single-entry', () => expect(entries.length === 1, `bundle has ${entries.length} tlog entries`));
  const tle = entries[0];
  if (!tle) return results;
  const proof = tle.inclusionProof;

  check('tle/log-id', () => {
    const want = logKey.logId.toString('base64');
    expect(tle.logId?.keyId === want, `logId.keyId ${tle.logId?.keyId}, expected our log ID ${want}`);
    return want;
  });
  check('tle/kind-version', () => {
    const kv = tle.kindVersion ?? {};
    expect(kv.kind === 'hashedrekord' && kv.version === '0.0.2', `kindVersion ${JSON.stringify(tle.kindVersion)}`);
    return 'hashedrekord/0.0.2';
  });
  check('tle/no-integrated-time-or-promise', () => {
    expect((tle.integratedTime ?? '0') === '0', `integratedTime ${tle.integratedTime}, a v2 log leaves it 0`);
    expect(!tle.inclusionPromise, 'entry carries an inclusionPromise; a v2 log gives none');
  });

  let cp;
  check('tle/checkpoint-signed-by-log', () => {
    expect(proof?.checkpoint?.envelope, 'no inclusionProof.checkpoint.envelope');
    cp = verifyCheckpoint(proof.checkpoint.envelope, logKey);
    return `${cp.origin} size ${cp.size}, key hint ${logKey.keyHint.toString('hex')}`;
  });
  check('tle/proof-matches-checkpoint', () => {
    expect(cp, 'no verified checkpoint');
    expect(BigInt(proof.treeSize ?? '0') === cp.size, `inclusionProof.treeSize ${proof.treeSize} but checkpoint size ${cp.size}`);
    expect(proof.rootHash === cp.rootHash.toString('base64'), `inclusionProof.rootHash ${proof.rootHash} but checkpoint root ${cp.rootHash.toString('base64')}`);
    expect(indexOf(proof) === indexOf(tle), `inclusionProof.logIndex ${proof.logIndex} but logIndex ${tle.logIndex}`);
    expect(indexOf(tle) < cp.size, `index ${indexOf(tle)} not below tree size ${cp.size}`);
  });
  const body = Buffer.from(tle.canonicalizedBody ?? '', 'base64');
  check('tle/inclusion-proof', () => {
    expect(cp, 'no verified checkpoint');
    const path = (proof.hashes ?? []).map((h) => Buffer.from(h, 'base64'));
    const root = rootFromInclusionProof(indexOf(tle), cp.size, leafHash(body), path);
    expect(root.equals(cp.rootHash), 'recomputed root differs from the checkpoint root');
    return `index ${indexOf(tle)} of ${cp.size}, ${path.length} hashes`;
  });
  check('tle/canonical-body', () => {
    const text = body.toString('utf8');
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error('canonicalizedBody is not JSON');
    }
    expect(canonicalJSON(parsed) === text, 'canonicalizedBody is not in RFC 8785 form');
    expect(parsed.kind === 'hashedrekord' && parsed.apiVersion === '0.0.2', `body kind/apiVersion ${parsed.kind}/${parsed.apiVersion}`);
    const spec = parsed.spec?.hashedRekordV002;
    expect(spec, 'body has no spec.hashedRekordV002');
    const ms = bundleJSON.messageSignature;
    expect(spec.data?.algorithm === 'SHA2_256', `data.algorithm ${spec.data?.algorithm}`);
    expect(spec.data?.digest === ms?.messageDigest?.digest, 'data.digest is not the bundle digest');
    expect(spec.signature?.content === ms?.signature, 'signature.content is not the bundle signature');
    const verifier = spec.signature?.verifier ?? {};
    expect(verifier.keyDetails === 'PKIX_ECDSA_P256_SHA_256', `verifier.keyDetails ${verifier.keyDetails} (sigstore-js sent PKIX_ECDSA_P256_SHA_256)`);
    expect(verifier.x509Certificate?.rawBytes === certificateOf(bundleJSON), 'verifier.x509Certificate is not the bundle certificate');
    expect(!verifier.publicKey, 'verifier was rewritten to a public key');
    return `${body.length} bytes`;
  });
  return results;
}
