// Throw-away X.509 material for one test run: certificate authorities and
// leaf certificates, all ECDSA P-256, made fresh on every run.
import crypto from 'node:crypto';
import * as der from './der.mjs';

export const OIDS = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256: '2.16.840.1.101.3.4.2.1',
  organizationName: '2.5.4.10',
  commonName: '2.5.4.3',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  // Fulcio's "OIDC issuer" extension, v1 form (the raw issuer URL as the value).
  fulcioIssuer: '1.3.6.1.4.1.57264.1.1',
};

const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 };

export const spkiOf = (publicKey) => publicKey.export({ type: 'spki', format: 'der' });

// RFC 5280 4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value.
// For a P-256 SPKI that is the last 65 bytes (uncompressed point).
function keyIdentifier(publicKey) {
  const spki = spkiOf(publicKey);
  return crypto.createHash('sha1').update(spki.subarray(spki.length - 65)).digest();
}

export function distinguishedName(commonName, organization = 'RekorPosix interop') {
  const rdn = (type, value) => der.set(der.sequence(der.oid(type), der.utf8String(value)));
  if (!commonName) return der.sequence(); // Fulcio leaves have an empty subject
  return der.sequence(rdn(OIDS.organizationName, organization), rdn(OIDS.commonName, commonName));
}

function extension(id, critical, value) {
  return der.sequence(der.oid(id), critical ? der.boolean(true) : null, der.octetString(value));
}

const randomSerial = () => {
  const b = crypto.randomBytes(16);
  b[0] &= 0x7f;
  return b;
};

export const toPem = (bytes, label) =>
  `-----BEGIN ${label}-----\n${bytes.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END ${label}-----\n`;

/**
 * Issues one certificate.
 *  subject:   { name (DER Name), publicKey (KeyObject) }
 *  issuer:    a CA from makeCA(), or null for a self-signed one (then signingKey is needed)
 *  profile:   'ca' | 'leaf'
 *  eku:       list of EKU OIDs (leaf only), ekuCritical
 *  email:     rfc822Name SAN (critical, as the subject is empty)
 *  oidcIssuer: value of the Fulcio issuer extension
 */
export function issue({ subject, issuer, signingKey, profile, notBefore, notAfter, eku = [], ekuCritical = false, email, oidcIssuer }) {
  const issuerName = issuer ? issuer.name : subject.name;
  const issuerKeyId = keyIdentifier(issuer ? issuer.publicKey : subject.publicKey);
  const exts = [];
  if (profile === 'ca') {
    exts.push(extension(OIDS.basicConstraints, true, der.sequence(der.boolean(true))));
    exts.push(extension(OIDS.keyUsage, true, der.namedBits([KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign])));
  } else {
    exts.push(extension(OIDS.basicConstraints, true, der.sequence()));
    exts.push(extension(OIDS.keyUsage, true, der.namedBits([KEY_USAGE.digitalSignature])));
  }
  exts.push(extension(OIDS.subjectKeyIdentifier, false, der.octetString(keyIdentifier(subject.publicKey))));
  exts.push(extension(OIDS.authorityKeyIdentifier, false, der.sequence(der.implicitPrimitive(0, issuerKeyId))));
  if (eku.length) exts.push(extension(OIDS.extKeyUsage, ekuCritical, der.sequence(...eku.map(der.oid))));
  if (email) exts.push(extension(OIDS.subjectAltName, true, der.sequence(der.implicitPrimitive(1, Buffer.from(email, 'ascii')))));
  if (oidcIssuer) exts.push(extension(OIDS.fulcioIssuer, false, Buffer.from(oidcIssuer, 'ascii')));

  const serial = randomSerial();
  const signatureAlgorithm = der.sequence(der.oid(OIDS.ecdsaWithSha256));
  const tbs = der.sequence(
    der.explicit(0, der.integer(2)),
    der.integer(serial),
    signatureAlgorithm,
    issuerName,
    der.sequence(der.time(notBefore), der.time(notAfter)),
    subject.name,
    spkiOf(subject.publicKey),
    der.explicit(3, der.sequence(...exts))
  );
  const signature = crypto.sign('sha256', tbs, issuer ? issuer.privateKey : signingKey);
  const certDer = der.sequence(tbs, signatureAlgorithm, der.bitString(signature));
  return { der: certDer, pem: toPem(certDer, 'CERTIFICATE'), serial, name: subject.name, notBefore, notAfter };
}

const newKeyPair = () => crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });

// A CA: self-signed root when parent is null, else an intermediate under parent.
export function makeCA(commonName, { parent = null, notBefore, notAfter }) {
  const { publicKey, privateKey } = newKeyPair();
  const subject = { name: distinguishedName(commonName), publicKey };
  const cert = issue({ subject, issuer: parent, signingKey: privateKey, profile: 'ca', notBefore, notAfter });
  return { commonName, name: subject.name, publicKey, privateKey, cert, chain: parent ? [cert, ...parent.chain] : [cert] };
}

// A leaf key pair and certificate under ca (for the TSA signer).
export function makeLeaf(commonName, ca, opts) {
  const { publicKey, privateKey } = newKeyPair();
  const cert = issue({ subject: { name: distinguishedName(commonName), publicKey }, issuer: ca, profile: 'leaf', ...opts });
  return { publicKey, privateKey, cert, chain: [cert, ...ca.chain] };
}
