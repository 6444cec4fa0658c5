// Makes mldsa44-cosigned.note and mldsa44-witness.vkey with an implementation other than ours
// (@noble/post-quantum 0.7.1: FIPS 204 ML-DSA-44, pure, empty context), the cosigned_message
// assembled by hand from https://c2sp.org/tlog-cosignature. Run: npm install @noble/post-quantum@0.7.1
// && node make-mldsa44.mjs (ML-DSA signing here is hedged: each run gives another signature).
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
const seed = Buffer.alloc(32); for (let i = 0; i < 32; i++) seed[i] = i;
const { publicKey, secretKey } = ml_dsa44.keygen(seed);
const name = 'witness.example/mldsa44';
const origin = 'example.com/log/testdata';
const size = 15n;
const root = createHash('sha256').update('kat root').digest();
const ts = 1767225600n; // 2026-01-01T00:00:00Z
const u64 = v => { const b = Buffer.alloc(8); b.writeBigUInt64BE(v); return b; };
const msg = Buffer.concat([Buffer.from('subtree/v1\n\0', 'latin1'), Buffer.from([name.length]), Buffer.from(name),
  u64(ts), Buffer.from([origin.length]), Buffer.from(origin), u64(0n), u64(size), root]);
const sig = ml_dsa44.sign(msg, secretKey);
if (!ml_dsa44.verify(sig, msg, publicKey)) throw new Error('self-check');
const keyId = createHash('sha256').update(Buffer.concat([Buffer.from(name + '\n'), Buffer.from([6]), publicKey])).digest().subarray(0, 4);
const text = `${origin}\n${size}\n${root.toString('base64')}\n`;
const vkey = `${name}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([6]), publicKey]).toString('base64')}`;
const line = `\u2014 ${name} ${Buffer.concat([keyId, u64(ts), Buffer.from(sig)]).toString('base64')}\n`;
writeFileSync('mldsa44-witness.vkey', vkey + '\n');
writeFileSync('mldsa44-cosigned.note', text + '\n' + line);
