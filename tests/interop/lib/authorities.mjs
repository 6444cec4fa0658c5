// The two other services a Sigstore signing flow talks to, stood up on
// 127.0.0.1 for the length of one run so that the published @sigstore/sign
// code can be used unchanged:
//  - a Fulcio-like CA:   POST /api/v2/signingCert  (root -> intermediate -> short-lived leaf)
//  - an RFC 3161 TSA:    POST /api/v1/timestamp    (sigstore timestamp-authority JSON request)
// sigstore-js submits only certificate verifiers to a Rekor v2 log, and a
// certificate bundle from a Rekor v2 log (integratedTime 0, no SET) needs an
// RFC 3161 timestamp to verify, so both are required for the round trip.
import crypto from 'node:crypto';
import http from 'node:http';
import * as der from './der.mjs';
import { issue, makeCA, makeLeaf, OIDS } from './pki.mjs';

export const SIGNER_EMAIL = 'ci-signer@interop.rekor-posix.test';
export const OIDC_ISSUER = 'https://issuer.interop.rekor-posix.test';

const CMS = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  // A UUID-derived OID (X.667 arc 2.25) as the TSA policy: ours alone.
  policy: '2.25.143067245218913052381468813961128245513',
};

// An unsigned OIDC-style token. FulcioSigner only reads its payload (the
// subject it signs as proof of possession); the test CA reads the same claims.
export function identityToken() {
  const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({
    iss: OIDC_ISSUER,
    sub: SIGNER_EMAIL,
    email: SIGNER_EMAIL,
    email_verified: true,
    aud: 'sigstore',
    iat: now,
    exp: now + 600,
  })}.`;
}

class HttpFailure extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const sha256 = (b) => crypto.createHash('sha256').update(b).digest();

export async function startAuthorities() {
  const now = Date.now();
  const hours = (h) => new Date(now + h * 3600e3);
  const validity = { notBefore: hours(-24), notAfter: hours(24 * 30) };

  const fulcioRoot = makeCA('interop Fulcio root', validity);
  const fulcioIntermediate = makeCA('interop Fulcio intermediate', { parent: fulcioRoot, ...validity });
  const tsaRoot = makeCA('interop TSA root', validity);
  const tsaSigner = makeLeaf('interop TSA signer', tsaRoot, { ...validity, eku: [OIDS.timeStamping], ekuCritical: true });
  const counters = { certificates: 0, timestamps: 0 };

  function signingCert(request) {
    const token = request?.credentials?.oidcIdentityToken;
    const keyPem = request?.publicKeyRequest?.publicKey?.content;
    const proof = request?.publicKeyRequest?.proofOfPossession;
    if (!token || !keyPem || !proof) throw new HttpFailure(400, 'credentials.oidcIdentityToken, publicKeyRequest.publicKey.content and proofOfPossession are required');
    let claims;
    try {
      claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    } catch {
      throw new HttpFailure(400, 'identity token payload is not JSON');
    }
    if (claims.iss !== OIDC_ISSUER || !claims.email) throw new HttpFailure(401, 'identity token from an unknown issuer');
    const publicKey = crypto.createPublicKey(keyPem);
    // Fulcio: the proof of possession is a signature over the token's subject.
    if (!crypto.verify('sha256', Buffer.from(claims.sub, 'utf8'), publicKey, Buffer.from(proof, 'base64'))) {
      throw new HttpFailure(400, 'proof of possession does not verify');
    }
    // Fulcio-style leaf: empty subject, e-mail SAN, issuer extension, 10 minutes.
    const issued = Date.now();
    const leaf = issue({
      subject: { name: der.sequence(), publicKey },
      issuer: fulcioIntermediate,
      profile: 'leaf',
      eku: [OIDS.codeSigning],
      notBefore: new Date(issued - 30e3),
      notAfter: new Date(issued + 10 * 60e3),
      email: claims.email,
      oidcIssuer: claims.iss,
    });
    counters.certificates++;
    return {
      signedCertificateDetachedSct: {
        chain: { certificates: [leaf.pem, fulcioIntermediate.cert.pem, fulcioRoot.cert.pem] },
      },
    };
  }

  function timestamp(request) {
    if ((request?.hashAlgorithm ?? 'sha256') !== 'sha256') throw new HttpFailure(400, 'only sha256 message imprints are supported');
    const imprint = Buffer.from(request?.artifactHash ?? '', 'base64');
    if (imprint.length !== 32) throw new HttpFailure(400, 'artifactHash must be a base64 SHA-256 digest');
    const sha256Id = der.sequence(der.oid(OIDS.sha256));
    const genTime = new Date();
    const tstInfo = der.sequence(
      der.integer(1),
      der.oid(CMS.policy),
      der.sequence(sha256Id, der.octetString(imprint)),
      der.integer(crypto.randomBytes(8)),
      der.generalizedTime(genTime)
    );
    // RFC 5035 / RFC 5816: the signing certificate is bound by its hash.
    const essCertIdV2 = der.sequence(der.octetString(sha256(tsaSigner.cert.der)));
    const signedAttrs = der.setOf(
      der.sequence(der.oid(CMS.contentType), der.set(der.oid(CMS.tstInfo))),
      der.sequence(der.oid(CMS.messageDigest), der.set(der.octetString(sha256(tstInfo)))),
      der.sequence(der.oid(CMS.signingCertificateV2), der.set(der.sequence(der.sequence(essCertIdV2))))
    );
    // The signature covers the attributes as a SET; they travel as [0] IMPLICIT.
    const signature = crypto.sign('sha256', signedAttrs, tsaSigner.privateKey);
    const signerInfo = der.sequence(
      der.integer(1),
      der.sequence(tsaRoot.name, der.integer(tsaSigner.cert.serial)),
      sha256Id,
      der.retagImplicit(0, signedAttrs),
      der.sequence(der.oid(OIDS.ecdsaWithSha256)),
      der.octetString(signature)
    );
    const signedData = der.sequence(
      der.integer(3),
      der.set(sha256Id),
      der.sequence(der.oid(CMS.tstInfo), der.explicit(0, der.octetString(tstInfo))),
      der.retagImplicit(0, der.set(tsaSigner.cert.der)),
      der.set(signerInfo)
    );
    counters.timestamps++;
    // TimeStampResp { status PKIStatusInfo { granted(0) }, timeStampToken ContentInfo }
    return der.sequence(der.sequence(der.integer(0)), der.sequence(der.oid(CMS.signedData), der.explicit(0, signedData)));
  }

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        let request;
        try {
          request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          throw new HttpFailure(400, 'request body is not JSON');
        }
        if (req.method === 'POST' && req.url === '/api/v2/signingCert') {
          res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify(signingCert(request)));
        } else if (req.method === 'POST' && req.url === '/api/v1/timestamp') {
          res.writeHead(201, { 'Content-Type': 'application/timestamp-reply' }).end(timestamp(request));
        } else {
          throw new HttpFailure(404, 'not found');
        }
      } catch (e) {
        const status = e instanceof HttpFailure ? e.status : 500;
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ code: status, message: e.message }));
      }
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  const start = validity.notBefore.toISOString();
  const chainJSON = (chain) => ({ certificates: chain.map((c) => ({ rawBytes: c.der.toString('base64') })) });

  return {
    url,
    counters,
    fulcioRoot,
    tsaSigner,
    close: () => new Promise((resolve) => server.close(resolve)),
    // TrustedRoot fragments (protobuf-specs JSON). A CA's chain runs from
    // the first certificate under the root up to the root.
    certificateAuthorities: [
      { subject: { organization: 'RekorPosix interop', commonName: fulcioIntermediate.commonName }, uri: url, certChain: chainJSON(fulcioIntermediate.chain), validFor: { start } },
    ],
    timestampAuthorities: [
      { subject: { organization: 'RekorPosix interop', commonName: 'interop TSA signer' }, uri: `${url}/api/v1/timestamp`, certChain: chainJSON(tsaSigner.chain), validFor: { start } },
    ],
  };
}
