// Trust material for the log under test, built from nothing but its public
// key and its checkpoint origin (spec §5.3):
//   Ed25519: logId = SHA-256(origin ‖ 0x0A ‖ 0x01 ‖ raw 32-byte key)
//   ECDSA:   logId = SHA-256(DER SubjectPublicKeyInfo)          (no origin)
//   RSA:     logId = SHA-256(origin ‖ 0x0A ‖ 0xFF ‖ "PKIX-RSA-PKCS#1v1.5" ‖ DER SPKI)
// The 4-byte key hint on a checkpoint signature line is logId[0:4].
import crypto from 'node:crypto';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial } from '@sigstore/verify';

const EC_DETAILS = {
  prime256v1: { keyDetails: 'PKIX_ECDSA_P256_SHA_256', hash: 'sha256' },
  secp384r1: { keyDetails: 'PKIX_ECDSA_P384_SHA_384', hash: 'sha384' },
  secp521r1: { keyDetails: 'PKIX_ECDSA_P521_SHA_512', hash: 'sha512' },
};

export class LogKey {
  constructor(pemOrKeyObject, origin) {
    this.key = pemOrKeyObject?.type === 'public' ? pemOrKeyObject : crypto.createPublicKey(pemOrKeyObject);
    this.origin = origin;
    this.spki = this.key.export({ type: 'spki', format: 'der' });
    this.type = this.key.asymmetricKeyType;
    const h = crypto.createHash('sha256');
    switch (this.type) {
      case 'ed25519':
        this.keyDetails = 'PKIX_ED25519';
        this.hash = null;
        h.update(origin, 'utf8').update(Buffer.of(0x0a, 0x01)).update(this.spki.subarray(-32));
        break;
      case 'ec': {
        const d = EC_DETAILS[this.key.asymmetricKeyDetails.namedCurve];
        if (!d) throw new Error(`unsupported log key curve ${this.key.asymmetricKeyDetails.namedCurve}`);
        Object.assign(this, d);
        h.update(this.spki);
        break;
      }
      case 'rsa':
        this.keyDetails = 'PKIX_RSA_PKCS1V15_2048_SHA256';
        this.hash = 'sha256';
        h.update(origin, 'utf8').update(Buffer.of(0x0a, 0xff)).update('PKIX-RSA-PKCS#1v1.5', 'ascii').update(this.spki);
        break;
      default:
        throw new Error(`unsupported log key type ${this.type}`);
    }
    this.logId = h.digest();
    this.keyHint = this.logId.subarray(0, 4);
  }

  // Signature check of a signed note body with this key (spec §5.2).
  verifyNote(text, signature) {
    return crypto.verify(this.hash, Buffer.from(text, 'utf8'), this.key, signature);
  }

  // The log's TransparencyLogInstance for a TrustedRoot. sigstore-js accepts a
  // checkpoint signature only if its key name occurs in baseUrl.
  tlogInstance(baseUrl) {
    const rawBytes = this.type === 'rsa' ? this.key.export({ type: 'pkcs1', format: 'der' }) : this.spki;
    const id = { keyId: this.logId.toString('base64') };
    return {
      baseUrl,
      hashAlgorithm: 'SHA2_256',
      publicKey: { rawBytes: rawBytes.toString('base64'), keyDetails: this.keyDetails, validFor: { start: '2020-01-01T00:00:00Z' } },
      logId: id,
      checkpointKeyId: id,
    };
  }
}

export function trustedRoot({ tlogs, certificateAuthorities, timestampAuthorities }) {
  return {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs,
    certificateAuthorities,
    ctlogs: [],
    timestampAuthorities,
  };
}

// keys: hint -> { rawBytes (SPKI DER), validFor } for public-key bundles.
export const trustMaterial = (rootJSON, keys) => toTrustMaterial(TrustedRoot.fromJSON(rootJSON), keys);
