// The interop checks proper: sign through @sigstore/sign's Rekor v2 path
// against the log under test, verify with @sigstore/verify against a trusted
// root made from the log's key and origin, and make sure damaged bundles fail.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bundleToJSON, bundleFromJSON } from '@sigstore/bundle';
import { SigningConfig } from '@sigstore/protobuf-specs';
import { bundleBuilderFromSigningConfig, FulcioSigner, MessageSignatureBundleBuilder, RekorWitness, TSAWitness } from '@sigstore/sign';
import { toSignedEntity, Verifier } from '@sigstore/verify';
import { identityToken, OIDC_ISSUER, SIGNER_EMAIL, startAuthorities } from './authorities.mjs';
import { certificateOf, indexOf, inspectEntry } from './entry.mjs';
import { explain, statusOf } from './report.mjs';
import { tampered, TAMPERS, withForeignEntry } from './tamper.mjs';
import { leafHash, parseCheckpoint, splitEntryBundle, entryBundlePath, verifyCheckpoint, verifyConsistency } from './tlog.mjs';
import { LogKey, trustedRoot, trustMaterial } from './trust.mjs';

// Rekor v2 entries carry no SET and integratedTime 0, so a certificate bundle
// needs an RFC 3161 timestamp; the entry itself is trusted through its
// inclusion proof and signed checkpoint. No SCTs: the test CA has no CT log.
const WITH_TIMESTAMP = { ctlogThreshold: 0, tlogThreshold: 1, timestampThreshold: 1 };
// A public-key bundle needs no timestamp at all: the log alone vouches for it.
const LOG_ONLY = { ctlogThreshold: 0, tlogThreshold: 1, timestampThreshold: 0 };

const POLICY = { subjectAlternativeName: SIGNER_EMAIL, extensions: { issuer: OIDC_ISSUER } };

const artifactFor = (label) => Buffer.concat([Buffer.from(`rekor-posix interop ${label} `), crypto.randomBytes(24)]);
const b64 = (b) => Buffer.from(b).toString('base64');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * opts: url (log base URL), origin, logKeyPem, logId (base64, optional: what
 * keygen printed), storageDir or readUrl (optional: where the stored log is read,
 * a directory or the server's read routes), concurrency, timeoutMs, outDir (optional).
 */
export async function runInterop(opts, report) {
  const rekorUrl = opts.url.replace(/\/+$/, '');
  const fetchOptions = { timeout: opts.timeoutMs ?? 30000, retry: { retries: 0 } };
  const save = (name, data) => {
    if (!opts.outDir) return;
    fs.mkdirSync(opts.outDir, { recursive: true });
    fs.writeFileSync(path.join(opts.outDir, name), typeof data === 'string' || Buffer.isBuffer(data) ? data : JSON.stringify(data, null, 2));
  };

  // ---- trust material ------------------------------------------------------------------------
  const logKey = new LogKey(opts.logKeyPem, opts.origin);
  if (opts.logId) {
    report.check('setup/log-id-matches-keygen', logKey.logId.toString('base64') === opts.logId,
      `log ID computed from key and origin is ${logKey.logId.toString('base64')}, keygen printed ${opts.logId}`, opts.logId);
  }
  const authorities = await startAuthorities();
  try {
    // The checkpoint key name (origin) must occur in the trusted baseUrl; a
    // real trusted root lists the log's public URL, named after the origin.
    const baseUrl = opts.trustedBaseUrl ?? `https://${opts.origin}`;
    const rootJSON = trustedRoot({
      tlogs: [logKey.tlogInstance(baseUrl)],
      certificateAuthorities: authorities.certificateAuthorities,
      timestampAuthorities: authorities.timestampAuthorities,
    });
    save('trusted_root.json', rootJSON);
    const trusted = trustMaterial(rootJSON);
    const verify = (bundleJSON, artifact, tm = trusted, options = WITH_TIMESTAMP, policy = POLICY) =>
      new Verifier(tm, options).verify(toSignedEntity(bundleFromJSON(bundleJSON), artifact), policy);

    const ctx = { opts, report, rekorUrl, fetchOptions, authorities, logKey, rootJSON, trusted, verify, save, signed: [] };
    await signWithSigningConfig(ctx);
    if (opts.optIns) {
      await signWithSigningConfig(ctx);
      await checkDuplicateReturnsEntry(ctx);
      await checkProofRoutes(ctx);
      if (!opts.noSearch) await checkSearch(ctx);
      return;
    }
    await signConcurrently(ctx);
    checkNoSplitView(ctx);
    await checkTampering(ctx);
    await checkDuplicate(ctx);
    await checkBadSignatureRejected(ctx);
    await checkRawResponse(ctx);
    if (opts.storageDir || opts.readUrl) await checkStorage(ctx);
  } finally {
    await authorities.close();
  }
}

function reportEntryChecks(report, results, prefix = '') {
  for (const r of results) report.check(`${prefix}${r.name}`, r.ok, r.detail, r.detail);
}

// The production path: a SigningConfig that lists the log with
// majorApiVersion 2, turned into a bundle builder by @sigstore/sign.
async function signWithSigningConfig(ctx) {
  const { report, authorities, rekorUrl, fetchOptions, logKey, verify } = ctx;
  const start = '2020-01-01T00:00:00Z';
  const signingConfig = SigningConfig.fromJSON({
    mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
    caUrls: [{ url: authorities.url, majorApiVersion: 1, validFor: { start }, operator: 'interop test CA' }],
    oidcUrls: [],
    rekorTlogUrls: [{ url: rekorUrl, majorApiVersion: 2, validFor: { start }, operator: 'rekor-server-posix under test' }],
    tsaUrls: [{ url: `${authorities.url}/api/v1/timestamp`, majorApiVersion: 1, validFor: { start }, operator: 'interop test TSA' }],
    rekorTlogConfig: { selector: 'ANY' },
    tsaConfig: { selector: 'ANY' },
  });
  const builder = bundleBuilderFromSigningConfig({
    signingConfig,
    identityProvider: { getToken: async () => identityToken() },
    bundleType: 'messageSignature',
    fetchOptions,
  });
  const artifact = artifactFor('signing-config');
  let bundleJSON;
  try {
    bundleJSON = bundleToJSON(await builder.create({ data: artifact }));
  } catch (e) {
    report.fail('sign/signing-config', explain(e));
    return;
  }
  const tle = bundleJSON.verificationMaterial.tlogEntries?.[0];
  report.pass('sign/signing-config', `@sigstore/sign wrote entry ${indexOf(tle)} through ${rekorUrl}/api/v2/log/entries`);
  ctx.save('signing-config.sigstore.json', bundleJSON);
  reportEntryChecks(report, inspectEntry(bundleJSON, logKey));
  const ok = verifyReport(report, 'verify/bundle', () => verify(bundleJSON, artifact),
    'certificate chain, RFC 3161 timestamp, inclusion proof and checkpoint, SAN and issuer policy');
  verifyLogOnly(ctx, bundleJSON, artifact);
  ctx.signed.push({ label: 'signing-config', bundleJSON, artifact, verified: ok });
}

function verifyReport(report, name, fn, detail) {
  try {
    fn();
    report.pass(name, detail);
    return true;
  } catch (e) {
    report.fail(name, explain(e));
    return false;
  }
}

// The same signature and log entry as a public-key bundle without any
// timestamp, with trust material that knows the signer's key: verification
// then rests on the log's inclusion proof and checkpoint alone.
function logOnlyVariant(ctx, bundleJSON, rootJSON = ctx.rootJSON) {
  const cert = new crypto.X509Certificate(Buffer.from(certificateOf(bundleJSON), 'base64'));
  const keys = { 'signer-key': { rawBytes: cert.publicKey.export({ type: 'spki', format: 'der' }), validFor: { start: new Date(0) } } };
  const bundle = {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      publicKey: { hint: 'signer-key' },
      tlogEntries: bundleJSON.verificationMaterial.tlogEntries,
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    messageSignature: bundleJSON.messageSignature,
  };
  return { bundle, trust: trustMaterial(rootJSON, keys) };
}

function verifyLogOnly(ctx, bundleJSON, artifact) {
  const { bundle, trust } = logOnlyVariant(ctx, bundleJSON);
  verifyReport(ctx.report, 'verify/log-only', () => ctx.verify(bundle, artifact, trust, LOG_ONLY, null),
    'public-key form of the bundle, no timestamp, inclusion proof and checkpoint only');
}

// Several signers at once through the explicit @sigstore/sign components.
async function signConcurrently(ctx) {
  const { report, authorities, rekorUrl, fetchOptions, logKey, verify, opts } = ctx;
  const n = opts.concurrency ?? 6;
  const one = async (i) => {
    const signer = new FulcioSigner({ fulcioBaseURL: authorities.url, identityProvider: { getToken: async () => identityToken() }, ...fetchOptions });
    const witnesses = [
      new RekorWitness({ rekorBaseURL: rekorUrl, majorApiVersion: 2, ...fetchOptions }),
      new TSAWitness({ tsaBaseURL: authorities.url, ...fetchOptions }),
    ];
    const artifact = artifactFor(`concurrent-${i}`);
    const bundle = await new MessageSignatureBundleBuilder({ signer, witnesses }).create({ data: artifact });
    return { label: `concurrent-${i}`, bundleJSON: bundleToJSON(bundle), artifact };
  };
  const t0 = Date.now();
  const settled = await Promise.allSettled(Array.from({ length: n }, (_, i) => one(i)));
  const ms = Date.now() - t0;
  const done = settled.filter((s) => s.status === 'fulfilled').map((s) => s.value);
  const errors = settled.filter((s) => s.status === 'rejected').map((s) => explain(s.reason));
  if (!report.check('concurrent/sign', errors.length === 0, `${errors.length} of ${n} failed: ${errors[0]}`, `${n} entries in ${ms} ms`)) {
    if (done.length === 0) return;
  }
  const indices = done.map((d) => indexOf(d.bundleJSON.verificationMaterial.tlogEntries?.[0]));
  const earlier = ctx.signed.map((s) => indexOf(s.bundleJSON.verificationMaterial.tlogEntries?.[0]));
  const all = [...earlier, ...indices];
  report.check('concurrent/distinct-indices', new Set(all.map(String)).size === all.length,
    `log indices ${all.join(',')} repeat`, `indices ${indices.sort((a, b) => (a < b ? -1 : 1)).join(',')}`);
  const bad = [];
  for (const d of done) {
    for (const r of inspectEntry(d.bundleJSON, logKey)) if (!r.ok) bad.push(`${d.label} ${r.name}: ${r.detail}`);
  }
  report.check('concurrent/entries', bad.length === 0, bad.slice(0, 3).join('; '), `${done.length} entries pass every tle/ check`);
  const unverified = [];
  for (const d of done) {
    try {
      verify(d.bundleJSON, d.artifact);
      d.verified = true;
    } catch (e) {
      unverified.push(`${d.label}: ${explain(e)}`);
    }
    ctx.save(`${d.label}.sigstore.json`, d.bundleJSON);
    ctx.save(`${d.label}.artifact`, d.artifact);
  }
  report.check('concurrent/verify', unverified.length === 0, unverified.slice(0, 2).join('; '), `@sigstore/verify accepts all ${done.length}`);
  ctx.signed.push(...done);
}

// Two checkpoints of the same size must have the same root (no split view
// between responses).
function checkNoSplitView(ctx) {
  const roots = new Map();
  const conflicts = [];
  for (const s of ctx.signed) {
    const env = s.bundleJSON.verificationMaterial.tlogEntries?.[0]?.inclusionProof?.checkpoint?.envelope;
    if (!env) continue;
    const cp = parseCheckpoint(env);
    const seen = roots.get(cp.size);
    if (seen && !seen.equals(cp.rootHash)) conflicts.push(`size ${cp.size}`);
    roots.set(cp.size, cp.rootHash);
  }
  if (roots.size === 0) return;
  ctx.report.check('tle/consistent-checkpoints', conflicts.length === 0, `different roots for ${conflicts.join(', ')}`,
    `${roots.size} distinct checkpoint sizes among ${ctx.signed.length} entries`);
}

async function checkTampering(ctx) {
  const { report, verify, logKey, rootJSON } = ctx;
  const usable = ctx.signed.filter((s) => s.verified);
  if (usable.length === 0) {
    report.fail('tamper/setup', 'no verified bundle to tamper with');
    return;
  }
  // The entry with the longest audit path has the most to damage.
  const hashes = (s) => s.bundleJSON.verificationMaterial.tlogEntries[0].inclusionProof?.hashes?.length ?? 0;
  const target = usable.reduce((a, b) => (hashes(b) > hashes(a) ? b : a));
  // Each damaged bundle is verified twice: as it is (certificate, timestamp and
  // log), and in its public-key form without a timestamp, where only the log
  // side can catch the damage. Both must reject it.
  const rejected = (name, bundleJSON, artifact, what, root = rootJSON) => {
    // Saved for run.sh, which checks that our own verify-bundle rejects each one too.
    if (root === rootJSON) {
      ctx.save(`${name.replace('/', '-')}.tampered.json`, bundleJSON);
      ctx.save(`${name.replace('/', '-')}.tampered.artifact`, artifact);
    }
    const outcomes = [];
    const attempt = (form, fn) => {
      try {
        fn();
        outcomes.push({ form, accepted: true });
      } catch (e) {
        outcomes.push({ form, accepted: false, why: `${e.code ?? e.name}: ${e.message}` });
      }
    };
    attempt('full', () => verify(bundleJSON, artifact, trustMaterial(root)));
    const lo = logOnlyVariant(ctx, bundleJSON, root);
    attempt('log-only', () => verify(lo.bundle, artifact, lo.trust, LOG_ONLY, null));
    const accepted = outcomes.filter((o) => o.accepted).map((o) => o.form);
    report.check(name, accepted.length === 0, `@sigstore/verify accepted the ${accepted.join(' and ')} form of the bundle with ${what}`,
      `${what} -> ${outcomes.map((o) => `${o.form}: ${o.why}`).join('; ')}`);
  };
  for (const t of TAMPERS) {
    const b = tampered(target.bundleJSON, t);
    // The harness chose the target so that every mutation applies: one that does not is a
    // check that did not run, never a pass.
    if (typeof b === 'string') report.fail(`tamper/${t.name}`, `the mutation could not be applied to the target bundle: ${b}`);
    else rejected(`tamper/${t.name}`, b, target.artifact, t.what);
  }
  rejected('tamper/artifact', target.bundleJSON, Buffer.concat([target.artifact, Buffer.of(0x0a)]), 'a different artifact');
  const other = usable.find((s) => s !== target);
  if (other) rejected('tamper/foreign-entry', withForeignEntry(target.bundleJSON, other.bundleJSON), target.artifact, 'the log entry of another signature');
  else report.fail('tamper/foreign-entry', 'only one usable bundle was signed: no foreign entry to swap in');
  // Trust side: the intact bundle against trusted roots that do not describe this log.
  const stranger = new LogKey(crypto.generateKeyPairSync('ed25519').publicKey, logKey.origin);
  const otherKeyRoot = { ...rootJSON, tlogs: [stranger.tlogInstance(rootJSON.tlogs[0].baseUrl)] };
  rejected('tamper/trust-other-log-key', target.bundleJSON, target.artifact, 'a trusted root listing another key for the origin', otherKeyRoot);
  const elsewhereRoot = { ...rootJSON, tlogs: [{ ...rootJSON.tlogs[0], baseUrl: 'https://elsewhere.invalid' }] };
  rejected('tamper/trust-base-url', target.bundleJSON, target.artifact, 'a trusted baseUrl that does not contain the origin', elsewhereRoot);
}

// The CreateEntryRequest sigstore-js sends, written out by hand.
function createEntryRequest(bundleJSON) {
  const ms = bundleJSON.messageSignature;
  return {
    hashedRekordRequestV002: {
      digest: ms.messageDigest.digest,
      signature: {
        content: ms.signature,
        verifier: { keyDetails: 'PKIX_ECDSA_P256_SHA_256', x509Certificate: { rawBytes: certificateOf(bundleJSON) } },
      },
    },
  };
}

const certPem = (bundleJSON) => new crypto.X509Certificate(Buffer.from(certificateOf(bundleJSON), 'base64')).toString();

function signatureContent(bundleJSON, signature) {
  const ms = bundleJSON.messageSignature;
  return {
    $case: 'messageSignature',
    messageSignature: {
      messageDigest: { algorithm: 1 /* SHA2_256 */, digest: Buffer.from(ms.messageDigest.digest, 'base64') },
      signature: signature ?? Buffer.from(ms.signature, 'base64'),
    },
  };
}

// The identical entry again: spec §3.4 wants 409 with the original index.
async function checkDuplicate(ctx) {
  const { report, rekorUrl, fetchOptions } = ctx;
  const first = ctx.signed[0];
  if (!first) {
    report.fail('duplicate/409', 'nothing was signed');
    return;
  }
  const index = indexOf(first.bundleJSON.verificationMaterial.tlogEntries[0]);
  const witness = new RekorWitness({ rekorBaseURL: rekorUrl, majorApiVersion: 2, ...fetchOptions });
  let duplicateAccepted;
  try {
    const vm = await witness.testify(signatureContent(first.bundleJSON), certPem(first.bundleJSON));
    duplicateAccepted = vm.tlogEntries[0];
  } catch (e) {
    if (statusOf(e) !== 409) {
      report.fail('duplicate/409', `expected HTTP 409 from the log for a resubmitted entry, got ${explain(e)}`);
      return;
    }
    report.pass('duplicate/409', `@sigstore/sign got HTTP 409 for a resubmission of entry ${index}`);
  }
  if (duplicateAccepted) {
    report.fail('duplicate/409', `server answered 201 for an identical entry (index ${duplicateAccepted.logIndex ?? 0}, first at ${index}); the contract is 409 with the original index`);
    return;
  }
  const r = await fetch(`${rekorUrl}/api/v2/log/entries`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(createEntryRequest(first.bundleJSON)),
  });
  const text = await r.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const problems = [];
  if (r.status !== 409) problems.push(`status ${r.status}`);
  if (r.headers.get('x-log-index') !== String(index)) problems.push(`X-Log-Index ${r.headers.get('x-log-index')}, expected ${index}`);
  if (body?.code !== 6) problems.push(`body code ${body?.code}, expected 6 (AlreadyExists)`);
  if (body?.message !== `an equivalent entry already exists in the transparency log with index ${index}`) problems.push(`body message ${JSON.stringify(body?.message)}`);
  report.check('duplicate/x-log-index', problems.length === 0, problems.join('; '), `409, X-Log-Index ${index}, gRPC code 6`);
}

// A server started with --duplicate-returns-entry (rekor-tiles#620) answers a resubmitted entry
// 200 with the logged entry and X-Log-Index: @sigstore/sign must take that answer as its tlog
// entry, and the bundle made from it must verify.
async function checkDuplicateReturnsEntry(ctx) {
  const { report, rekorUrl, fetchOptions, verify, logKey } = ctx;
  const first = ctx.signed[0];
  if (!first) {
    report.fail('duplicate/returns-entry', 'nothing was signed');
    return;
  }
  const original = first.bundleJSON.verificationMaterial.tlogEntries[0];
  const witness = new RekorWitness({ rekorBaseURL: rekorUrl, majorApiVersion: 2, ...fetchOptions });
  let bundleJSON;
  try {
    const vm = await witness.testify(signatureContent(first.bundleJSON), certPem(first.bundleJSON));
    const bundle = bundleFromJSON(first.bundleJSON);
    bundle.verificationMaterial.tlogEntries = vm.tlogEntries;
    bundleJSON = bundleToJSON(bundle);
  } catch (e) {
    report.fail('duplicate/returns-entry', `@sigstore/sign did not take the answer to a resubmission: ${explain(e)}`);
    return;
  }
  const again = bundleJSON.verificationMaterial.tlogEntries[0];
  const same = indexOf(again) === indexOf(original) && again.canonicalizedBody === original.canonicalizedBody;
  report.check('duplicate/returns-entry', same,
    `resubmission answered entry ${indexOf(again)} (body ${again.canonicalizedBody === original.canonicalizedBody ? 'equal' : 'different'}), first at ${indexOf(original)}`,
    `@sigstore/sign took the logged entry ${indexOf(original)} as the answer to a resubmission`);
  ctx.save('duplicate.sigstore.json', bundleJSON);
  reportEntryChecks(report, inspectEntry(bundleJSON, logKey), 'duplicate/');
  verifyReport(report, 'duplicate/verify', () => verify(bundleJSON, first.artifact),
    'the bundle with the returned entry verifies: certificate, timestamp, inclusion proof and checkpoint');
  const r = await fetch(`${rekorUrl}/api/v2/log/entries`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(createEntryRequest(first.bundleJSON)),
  });
  const body = await r.json().catch(() => undefined);
  const problems = [];
  if (r.status !== 200) problems.push(`status ${r.status}`);
  if (r.headers.get('x-log-index') !== String(indexOf(original))) problems.push(`X-Log-Index ${r.headers.get('x-log-index')}, expected ${indexOf(original)}`);
  if (indexOf(body) !== indexOf(original)) problems.push(`logIndex ${body?.logIndex}`);
  report.check('duplicate/returns-entry-raw', problems.length === 0, problems.join('; '), `200, X-Log-Index ${indexOf(original)}, the entry as first logged`);
}

async function getJSON(url) {
  const r = await fetch(url);
  return { status: r.status, body: await r.json().catch(() => undefined) };
}

// On a server with --checkpoint-history: sigstore-js verifies a bundle whose inclusion proof came
// from the proof route; the checkpoint the bundle was issued against is served by its size, byte
// for byte; and the consistency proof from it to today checks out with the harness's own RFC 9162
// code, as an auditor holding an old bundle would check it.
async function checkProofRoutes(ctx) {
  const { report, rekorUrl, verify, logKey } = ctx;
  const [older] = ctx.signed;
  if (ctx.signed.length < 2) {
    report.fail('proofs/inclusion-verifies', 'two entries were not signed');
    return;
  }
  const tle = older.bundleJSON.verificationMaterial.tlogEntries[0];
  const index = indexOf(tle);
  const inclusion = await getJSON(`${rekorUrl}/api/v2/proof/inclusion?index=${index}`);
  if (inclusion.status !== 200) {
    report.fail('proofs/inclusion-verifies', `status ${inclusion.status}: ${inclusion.body?.message}`);
  } else {
    const bundleJSON = structuredClone(older.bundleJSON);
    bundleJSON.verificationMaterial.tlogEntries[0].inclusionProof = inclusion.body;
    verifyReport(report, 'proofs/inclusion-verifies', () => verify(bundleJSON, older.artifact),
      `sigstore-js verifies entry ${index}'s bundle with the route's proof against size ${inclusion.body.treeSize} (issued against ${tle.inclusionProof.treeSize})`);
  }
  const leaf = leafHash(Buffer.from(tle.canonicalizedBody, 'base64')).toString('hex');
  const byLeaf = await getJSON(`${rekorUrl}/api/v2/proof/inclusion?leaf_hash=${leaf}`);
  if (ctx.opts.noSearch) {
    // A flavour without a search index: the lookup by leaf hash is refused with a message saying why.
    report.check('proofs/by-leaf-hash-needs-search-index', byLeaf.status === 404 && /--search-index/.test(byLeaf.body?.message ?? ''),
      `status ${byLeaf.status}: ${byLeaf.body?.message ?? ''}`, 'without a search index, a lookup by leaf hash is a 404 naming --search-index');
  } else {
    report.check('proofs/by-leaf-hash', byLeaf.status === 200 && indexOf(byLeaf.body) === index,
      `status ${byLeaf.status}, logIndex ${byLeaf.body?.logIndex}: ${byLeaf.body?.message ?? ''}`, `leaf hash ${leaf.slice(0, 12)}… is entry ${index}`);
  }

  const oldSize = BigInt(tle.inclusionProof.treeSize);
  const oldRoot = Buffer.from(tle.inclusionProof.rootHash, 'base64');
  const kept = await fetch(`${rekorUrl}/api/v2/checkpoints/${oldSize}`);
  const note = await kept.text();
  report.check('history/checkpoint-of-bundle', kept.status === 200 && note === tle.inclusionProof.checkpoint.envelope,
    `status ${kept.status}; ${note === tle.inclusionProof.checkpoint.envelope ? 'same' : 'other'} bytes than the bundle's checkpoint`,
    `the checkpoint of size ${oldSize} the bundle was issued against, byte for byte`);
  const consistency = await getJSON(`${rekorUrl}/api/v2/proof/consistency?first=${oldSize}`);
  const problems = [];
  try {
    if (consistency.status !== 200) throw new Error(`status ${consistency.status}: ${consistency.body?.message}`);
    const now = verifyCheckpoint(consistency.body.checkpoint.envelope, logKey);
    if (now.size <= oldSize) problems.push(`latest size ${now.size} is not beyond ${oldSize}`);
    const hashes = consistency.body.hashes.map((h) => Buffer.from(h, 'base64'));
    if (!verifyConsistency(oldSize, now.size, oldRoot, now.rootHash, hashes)) problems.push(`the proof from ${oldSize} to ${now.size} does not verify`);
    if (consistency.body.firstCheckpoint?.envelope !== note) problems.push('firstCheckpoint is not the kept checkpoint');
  } catch (e) {
    problems.push(explain(e));
  }
  report.check('proofs/consistency-verifies', problems.length === 0, problems.join('; '),
    `from the bundle's size ${oldSize} to today's signed checkpoint, by RFC 9162 §2.1.4.2`);
}

// On a server with --search-index: the signer's email finds the entries this run signed, and an
// artifact's digest finds its own entry only, once the index has caught up with the log.
async function checkSearch(ctx) {
  const { report, rekorUrl } = ctx;
  const wanted = ctx.signed.map((s) => indexOf(s.bundleJSON.verificationMaterial.tlogEntries[0]));
  const query = (q) => fetch(`${rekorUrl}/api/v2/index/retrieve`, { method: 'POST', body: JSON.stringify(q) })
    .then(async (r) => ({ status: r.status, body: await r.json().catch(() => undefined) }));
  let answer;
  for (let attempt = 0; attempt < 100; attempt++) {
    answer = await query({ email: SIGNER_EMAIL, pageSize: 1000 });
    if (answer.status !== 200 || BigInt(answer.body.indexedSize) >= BigInt(answer.body.treeSize)) break;
    await sleep(100);
  }
  const found = (answer.body?.logIndexes ?? []).map(BigInt);
  report.check('search/by-email', answer.status === 200 && wanted.every((i) => found.includes(i)),
    `status ${answer.status}: ${answer.body?.message ?? `found ${found.length} entries, not all of ${wanted.join(', ')}`}`,
    `${SIGNER_EMAIL} finds ${found.length} entries, those signed now (${wanted.join(', ')}) among them`);
  const first = ctx.signed[0];
  const digest = Buffer.from(first.bundleJSON.messageSignature.messageDigest.digest, 'base64').toString('hex');
  const byHash = await query({ hash: `sha256:${digest}` });
  const indices = (byHash.body?.logIndexes ?? []).map(BigInt);
  report.check('search/by-digest', byHash.status === 200 && indices.length === 1 && indices[0] === wanted[0],
    `status ${byHash.status}: ${byHash.body?.message ?? `found ${indices.join(', ')}`}`, `the artifact's digest finds entry ${wanted[0]} only`);
}

// A hashedrekord whose signature does not verify must be refused (spec §4.3: 400).
async function checkBadSignatureRejected(ctx) {
  const { report, rekorUrl, fetchOptions } = ctx;
  const first = ctx.signed[0];
  if (!first) return;
  const sig = Buffer.from(first.bundleJSON.messageSignature.signature, 'base64');
  sig[sig.length - 1] ^= 0x01;
  const witness = new RekorWitness({ rekorBaseURL: rekorUrl, majorApiVersion: 2, ...fetchOptions });
  try {
    const vm = await witness.testify(signatureContent(first.bundleJSON, sig), certPem(first.bundleJSON));
    report.fail('reject/bad-signature', `the log accepted a signature that does not verify (entry ${vm.tlogEntries[0]?.logIndex ?? 0})`);
  } catch (e) {
    const status = statusOf(e);
    report.check('reject/bad-signature', status === 400, `expected HTTP 400, got ${explain(e)}`, `HTTP 400: ${e.cause?.message ?? e.message}`);
  }
}

// sigstore-js parses the response into protobuf objects and forgets its JSON
// shape; look at the raw 201 once (spec §4.1: every field present, int64 as
// strings, integratedTime "0", inclusionPromise null).
async function checkRawResponse(ctx) {
  const { report, rekorUrl, authorities, logKey } = ctx;
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const token = identityToken();
  const subject = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sub;
  const certResponse = await fetch(`${authorities.url}/api/v2/signingCert`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      credentials: { oidcIdentityToken: token },
      publicKeyRequest: {
        publicKey: { algorithm: 'ECDSA', content: publicKey.export({ type: 'spki', format: 'pem' }) },
        proofOfPossession: b64(crypto.sign('sha256', Buffer.from(subject), privateKey)),
      },
    }),
  }).then((r) => r.json());
  const leafPem = certResponse.signedCertificateDetachedSct.chain.certificates[0];
  const artifact = artifactFor('raw');
  const request = {
    hashedRekordRequestV002: {
      digest: b64(crypto.createHash('sha256').update(artifact).digest()),
      signature: {
        content: b64(crypto.sign('sha256', artifact, privateKey)),
        verifier: { keyDetails: 'PKIX_ECDSA_P256_SHA_256', x509Certificate: { rawBytes: b64(new crypto.X509Certificate(leafPem).raw) } },
      },
    },
  };
  const r = await fetch(`${rekorUrl}/api/v2/log/entries`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(request) });
  const text = await r.text();
  const problems = [];
  let tle;
  try {
    tle = JSON.parse(text);
  } catch {
    problems.push(`body is not JSON: ${text.slice(0, 200)}`);
  }
  if (r.status !== 201) problems.push(`status ${r.status}, expected 201`);
  if (!(r.headers.get('content-type') ?? '').startsWith('application/json')) problems.push(`content type ${r.headers.get('content-type')}`);
  if (tle) {
    const isInt = (v) => typeof v === 'string' && /^(0|[1-9][0-9]*)$/.test(v);
    if (!isInt(tle.logIndex)) problems.push(`logIndex ${JSON.stringify(tle.logIndex)} is not an int64 string`);
    if (tle.logId?.keyId !== logKey.logId.toString('base64')) problems.push(`logId.keyId ${tle.logId?.keyId}`);
    if (tle.kindVersion?.kind !== 'hashedrekord' || tle.kindVersion?.version !== '0.0.2') problems.push(`kindVersion ${JSON.stringify(tle.kindVersion)}`);
    if (tle.integratedTime !== '0') problems.push(`integratedTime ${JSON.stringify(tle.integratedTime)}, expected "0"`);
    if (!('inclusionPromise' in tle) || tle.inclusionPromise !== null) problems.push(`inclusionPromise ${JSON.stringify(tle.inclusionPromise)}, expected null`);
    const p = tle.inclusionProof ?? {};
    if (!isInt(p.logIndex) || p.logIndex !== tle.logIndex) problems.push(`inclusionProof.logIndex ${JSON.stringify(p.logIndex)}`);
    if (!isInt(p.treeSize)) problems.push(`inclusionProof.treeSize ${JSON.stringify(p.treeSize)}`);
    if (Buffer.from(p.rootHash ?? '', 'base64').length !== 32) problems.push(`inclusionProof.rootHash ${JSON.stringify(p.rootHash)} is not 32 bytes of base64`);
    if (!Array.isArray(p.hashes)) problems.push('inclusionProof.hashes is not an array');
    try {
      verifyCheckpoint(p.checkpoint?.envelope ?? '', logKey);
    } catch (e) {
      problems.push(`checkpoint: ${e.message}`);
    }
    if (typeof tle.canonicalizedBody !== 'string') problems.push('canonicalizedBody missing');
  }
  report.check('api/response-json', problems.length === 0, problems.join('; '), `201 with every §4.1 field, entry ${tle?.logIndex}`);
  if (tle && r.status === 201) ctx.signed.push({ label: 'raw', bundleJSON: { verificationMaterial: { tlogEntries: [tle] } }, artifact, raw: true });
}

// A published file of the log: from the directory (posix), or through the
// server's read routes (a log in a bucket), which then get tested too.
async function readStored(opts, name) {
  if (opts.storageDir) return fs.readFileSync(path.join(opts.storageDir, name));
  const r = await fetch(`${opts.readUrl}/${name}`);
  if (r.status !== 200) throw new Error(`GET ${opts.readUrl}/${name}: ${r.status}`);
  return Buffer.from(await r.arrayBuffer());
}

// The stored log: the published checkpoint verifies and every entry handed
// out is in the entry bundles, byte for byte.
async function checkStorage(ctx) {
  const { report, logKey, opts } = ctx;
  const entries = ctx.signed.map((s) => s.bundleJSON.verificationMaterial.tlogEntries?.[0]).filter(Boolean);
  const need = entries.reduce((m, t) => (indexOf(t) + 1n > m ? indexOf(t) + 1n : m), 0n);
  let cp;
  let lastError;
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      cp = verifyCheckpoint((await readStored(opts, 'checkpoint')).toString('utf8'), logKey);
      if (cp.size >= need) break;
    } catch (e) {
      lastError = e;
      cp = undefined;
    }
    await sleep(100);
  }
  if (!report.check('storage/checkpoint', cp && cp.size >= need, cp ? `published size ${cp.size} < ${need}` : `${lastError?.message}`, `size ${cp?.size}, signed by the log key`)) return;
  const mismatches = [];
  for (const t of entries) {
    const i = indexOf(t);
    const file = entryBundlePath(i, cp.size);
    try {
      const got = splitEntryBundle(await readStored(opts, file))[Number(i % 256n)];
      if (!got || !got.equals(Buffer.from(t.canonicalizedBody, 'base64'))) mismatches.push(`entry ${i} differs in ${file}`);
    } catch (e) {
      mismatches.push(`entry ${i}: ${e.message}`);
    }
  }
  report.check('storage/entry-bundles', mismatches.length === 0, mismatches.slice(0, 3).join('; '), `${entries.length} entries found byte for byte`);
}
