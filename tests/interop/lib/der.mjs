// A few DER (X.690) encoders: just what the test CA and the test TSA need to
// produce X.509 certificates and RFC 3161 timestamp responses. Every function
// returns a complete encoded element (tag, length, content) as a Buffer.

function lengthOctets(n) {
  if (n < 0x80) return Buffer.of(n);
  const out = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v % 256);
  return Buffer.of(0x80 | out.length, ...out);
}

export function element(tag, content) {
  const body = Buffer.from(content);
  return Buffer.concat([Buffer.of(tag), lengthOctets(body.length), body]);
}

const present = (parts) => parts.filter((p) => p !== undefined && p !== null);

export const sequence = (...parts) => element(0x30, Buffer.concat(present(parts)));

// A SET whose members are already in the wanted order (a single member, say).
export const set = (...parts) => element(0x31, Buffer.concat(present(parts)));

// SET OF: DER orders the members by their encodings.
export const setOf = (...parts) => element(0x31, Buffer.concat(present(parts).sort(Buffer.compare)));

export function integer(value) {
  let bytes;
  if (Buffer.isBuffer(value)) {
    let start = 0;
    while (start < value.length - 1 && value[start] === 0 && !(value[start + 1] & 0x80)) start++;
    bytes = value.subarray(start);
  } else {
    let v = BigInt(value);
    if (v < 0n) throw new RangeError('negative INTEGERs are not needed here');
    const out = [];
    do {
      out.unshift(Number(v & 0xffn));
      v >>= 8n;
    } while (v > 0n);
    bytes = Buffer.from(out);
  }
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.of(0), bytes]);
  return element(0x02, bytes);
}

export function oid(dotted) {
  const arcs = dotted.split('.').map(BigInt);
  const out = [Number(arcs[0] * 40n + arcs[1])];
  for (const arc of arcs.slice(2)) {
    const groups = [];
    let v = arc;
    do {
      groups.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    for (let i = 0; i < groups.length - 1; i++) groups[i] |= 0x80;
    out.push(...groups);
  }
  return element(0x06, Buffer.from(out));
}

export const NULL = Buffer.of(0x05, 0x00);
export const boolean = (b) => element(0x01, Buffer.of(b ? 0xff : 0x00));
export const octetString = (bytes) => element(0x04, bytes);
export const utf8String = (s) => element(0x0c, Buffer.from(s, 'utf8'));

// BIT STRING holding whole bytes (signatures, public keys).
export const bitString = (bytes) => element(0x03, Buffer.concat([Buffer.of(0), bytes]));

// BIT STRING for a set of named bits (KeyUsage): bit 0 is the most significant
// bit of the first byte; trailing zero bits are dropped as DER requires.
export function namedBits(bits) {
  const last = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(last / 8) + 1);
  for (const b of bits) bytes[Math.floor(b / 8)] |= 0x80 >> (b % 8);
  const unused = 7 - (last % 8);
  return element(0x03, Buffer.concat([Buffer.of(unused), bytes]));
}

const two = (n) => String(n).padStart(2, '0');
const clock = (d) => two(d.getUTCHours()) + two(d.getUTCMinutes()) + two(d.getUTCSeconds());
const day = (d) => two(d.getUTCMonth() + 1) + two(d.getUTCDate());

// X.509 validity: UTCTime until 2049, GeneralizedTime after (RFC 5280 4.1.2.5).
export function time(d) {
  const y = d.getUTCFullYear();
  if (y < 2050) return element(0x17, Buffer.from(`${two(y % 100)}${day(d)}${clock(d)}Z`, 'ascii'));
  return generalizedTime(d);
}

export const generalizedTime = (d) =>
  element(0x18, Buffer.from(`${String(d.getUTCFullYear()).padStart(4, '0')}${day(d)}${clock(d)}Z`, 'ascii'));

// Context-specific tags: [n] EXPLICIT wraps whole elements; [n] IMPLICIT
// replaces the tag, keeping the constructed/primitive bit of the original.
export const explicit = (n, ...parts) => element(0xa0 | n, Buffer.concat(present(parts)));
export const implicitPrimitive = (n, content) => element(0x80 | n, content);

// Re-tags a complete constructed element as [n] IMPLICIT.
export function retagImplicit(n, encoded) {
  const copy = Buffer.from(encoded);
  copy[0] = 0xa0 | n;
  return copy;
}
