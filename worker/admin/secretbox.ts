/**
 * @module NaCl `crypto_secretbox_open` (XSalsa20-Poly1305, MAC first as in libsodium's easy
 * format), opening only. Convex sealed admin keys this way until mid-2025 and still accepts
 * them (keybroker's `LegacyEncryptor`); WebCrypto has neither cipher, so this is plain code.
 * Keys are tens of bytes, so BigInt Poly1305 is fast enough.
 */

export const SECRETBOX_NONCE_LENGTH = 24;
export const SECRETBOX_MAC_LENGTH = 16;

const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]; // "expand 32-byte k"

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

function words(bytes: Uint8Array, offset: number, count: number): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * 4);
  return Array.from({ length: count }, (_, i) => view.getUint32(i * 4, true));
}

/** 20 Salsa20 rounds over the state, in place. */
function salsaRounds(x: Uint32Array): void {
  const qr = (a: number, b: number, c: number, d: number) => {
    x[b]! ^= rotl((x[a]! + x[d]!) | 0, 7);
    x[c]! ^= rotl((x[b]! + x[a]!) | 0, 9);
    x[d]! ^= rotl((x[c]! + x[b]!) | 0, 13);
    x[a]! ^= rotl((x[d]! + x[c]!) | 0, 18);
  };
  for (let i = 0; i < 10; i++) {
    qr(0, 4, 8, 12); qr(5, 9, 13, 1); qr(10, 14, 2, 6); qr(15, 3, 7, 11);
    qr(0, 1, 2, 3); qr(5, 6, 7, 4); qr(10, 11, 8, 9); qr(15, 12, 13, 14);
  }
}

function initialState(key: Uint8Array, middle: number[]): Uint32Array {
  const k = words(key, 0, 8);
  return Uint32Array.from([SIGMA[0]!, k[0]!, k[1]!, k[2]!, k[3]!, SIGMA[1]!, ...middle, SIGMA[2]!, k[4]!, k[5]!, k[6]!, k[7]!, SIGMA[3]!]);
}

/** HSalsa20: the subkey XSalsa20 derives from the key and the first 16 nonce bytes. */
function hsalsa20(key: Uint8Array, nonce16: Uint8Array): Uint8Array {
  const x = initialState(key, words(nonce16, 0, 4));
  salsaRounds(x);
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  [0, 5, 10, 15, 6, 7, 8, 9].forEach((w, i) => view.setUint32(i * 4, x[w]!, true));
  return out;
}

/** XSalsa20 keystream of `length` bytes from block counter 0. */
function xsalsa20Stream(key: Uint8Array, nonce: Uint8Array, length: number): Uint8Array {
  const subkey = hsalsa20(key, nonce.subarray(0, 16));
  const n = words(nonce, 16, 2);
  const out = new Uint8Array(length);
  for (let block = 0; block * 64 < length; block++) {
    const input = initialState(subkey, [n[0]!, n[1]!, block, 0]);
    const x = input.slice();
    salsaRounds(x);
    const bytes = new Uint8Array(64);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < 16; i++) view.setUint32(i * 4, (x[i]! + input[i]!) >>> 0, true);
    out.set(bytes.subarray(0, Math.min(64, length - block * 64)), block * 64);
  }
  return out;
}

function leBig(bytes: Uint8Array): bigint {
  let x = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i]!);
  return x;
}

const P1305 = (1n << 130n) - 5n;

export function poly1305(key: Uint8Array, message: Uint8Array): Uint8Array {
  const r = leBig(key.subarray(0, 16)) & 0x0ffffffc0ffffffc0ffffffc0fffffffn;
  const s = leBig(key.subarray(16, 32));
  let acc = 0n;
  for (let i = 0; i < message.length; i += 16) {
    const chunk = message.subarray(i, Math.min(i + 16, message.length));
    acc = ((acc + leBig(chunk) + (1n << BigInt(8 * chunk.length))) * r) % P1305;
  }
  let tag = (acc + s) & ((1n << 128n) - 1n);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    out[i] = Number(tag & 0xffn);
    tag >>= 8n;
  }
  return out;
}

/** Opens mac ‖ ciphertext; null when the MAC does not authenticate. */
export function secretboxOpen(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | null {
  if (key.length !== 32 || nonce.length !== SECRETBOX_NONCE_LENGTH) throw new Error('secretbox: bad key or nonce length');
  if (box.length < SECRETBOX_MAC_LENGTH) return null;
  const mac = box.subarray(0, SECRETBOX_MAC_LENGTH);
  const ciphertext = box.subarray(SECRETBOX_MAC_LENGTH);
  const stream = xsalsa20Stream(key, nonce, 32 + ciphertext.length);
  const expected = poly1305(stream.subarray(0, 32), ciphertext);
  let diff = 0;
  for (let i = 0; i < 16; i++) diff |= expected[i]! ^ mac[i]!;
  if (diff !== 0) return null;
  const plaintext = new Uint8Array(ciphertext.length);
  for (let i = 0; i < ciphertext.length; i++) plaintext[i] = ciphertext[i]! ^ stream[32 + i]!;
  return plaintext;
}
