/**
 * @module AEAD_AES_128_GCM_SIV (RFC 8452) on WebCrypto, which has no GCM-SIV: the AES block
 * function comes from AES-CBC over one block with a zero IV, POLYVAL is computed with BigInt.
 * Convex seals its admin keys with this cipher; the messages are tens of bytes, so doing the
 * counter mode one block at a time costs nothing that matters.
 */

const BLOCK = 16;
export const NONCE_LENGTH = 12;
export const TAG_LENGTH = 16;

/** Encrypts one 16-byte block: CBC with a zero IV is the raw block cipher for the first block. */
async function importBlockCipher(key: Uint8Array): Promise<(block: Uint8Array) => Promise<Uint8Array>> {
  const cryptoKey = await crypto.subtle.importKey('raw', key as BufferSource, 'AES-CBC', false, ['encrypt']);
  const iv = new Uint8Array(BLOCK);
  return async (block) => {
    const out = await crypto.subtle.encrypt({ name: 'AES-CBC', iv }, cryptoKey, block as BufferSource);
    return new Uint8Array(out, 0, BLOCK);
  };
}

/** Little-endian 16 bytes ⇄ BigInt: POLYVAL's field elements are little-endian. */
function toBig(bytes: Uint8Array): bigint {
  let x = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i]!);
  return x;
}
function fromBig(x: bigint): Uint8Array {
  const out = new Uint8Array(BLOCK);
  for (let i = 0; i < BLOCK; i++) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

// x^128 + x^127 + x^126 + x^121 + 1
const POLY = (1n << 128n) | (1n << 127n) | (1n << 126n) | (1n << 121n) | 1n;

/** dot(a, b) = a · b · x^-128 in GF(2^128) mod POLY (RFC 8452 §3). */
function dot(a: bigint, b: bigint): bigint {
  let product = 0n;
  for (let i = 0n; i < 128n; i++) if ((b >> i) & 1n) product ^= a << i;
  // Dividing by x 128 times (adding POLY first whenever the constant term is set) is the
  // multiplication by x^-128.
  for (let i = 0; i < 128; i++) {
    if (product & 1n) product ^= POLY;
    product >>= 1n;
  }
  return product;
}

/** POLYVAL(H, X_1, …, X_n) over whole 16-byte blocks. */
export function polyval(h: Uint8Array, data: Uint8Array): Uint8Array {
  if (data.length % BLOCK !== 0) throw new Error('polyval: input is not a whole number of blocks');
  const hb = toBig(h);
  let s = 0n;
  for (let i = 0; i < data.length; i += BLOCK) s = dot(s ^ toBig(data.subarray(i, i + BLOCK)), hb);
  return fromBig(s);
}

function padded(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / BLOCK) * BLOCK);
  out.set(bytes);
  return out;
}

function lengthBlock(aadLength: number, plaintextLength: number): Uint8Array {
  const out = new Uint8Array(BLOCK);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(aadLength) * 8n, true);
  view.setBigUint64(8, BigInt(plaintextLength) * 8n, true);
  return out;
}

interface MessageKeys {
  authKey: Uint8Array;
  encrypt: (block: Uint8Array) => Promise<Uint8Array>;
}

/** Per-nonce keys (RFC 8452 §4): the first halves of AES(K, le32(i) ‖ nonce) for i = 0..3. */
async function deriveMessageKeys(key: Uint8Array, nonce: Uint8Array): Promise<MessageKeys> {
  if (key.length !== 16) throw new Error('AES-128-GCM-SIV needs a 16-byte key');
  if (nonce.length !== NONCE_LENGTH) throw new Error('AES-GCM-SIV needs a 12-byte nonce');
  const kgk = await importBlockCipher(key);
  const halves: Uint8Array[] = [];
  for (let i = 0; i < 4; i++) {
    const block = new Uint8Array(BLOCK);
    new DataView(block.buffer).setUint32(0, i, true);
    block.set(nonce, 4);
    halves.push((await kgk(block)).subarray(0, 8));
  }
  const authKey = new Uint8Array([...halves[0]!, ...halves[1]!]);
  const encKey = new Uint8Array([...halves[2]!, ...halves[3]!]);
  return { authKey, encrypt: await importBlockCipher(encKey) };
}

async function computeTag(keys: MessageKeys, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
  const input = new Uint8Array([...padded(aad), ...padded(plaintext), ...lengthBlock(aad.length, plaintext.length)]);
  const s = polyval(keys.authKey, input);
  for (let i = 0; i < NONCE_LENGTH; i++) s[i]! ^= nonce[i]!;
  s[15]! &= 0x7f;
  return keys.encrypt(s);
}

/** AES-CTR as GCM-SIV defines it: the first 32 bits of the counter block count, little-endian. */
async function ctr(keys: MessageKeys, tag: Uint8Array, input: Uint8Array): Promise<Uint8Array> {
  const out = new Uint8Array(input.length);
  const counter = tag.slice();
  counter[15]! |= 0x80;
  const view = new DataView(counter.buffer);
  const first = view.getUint32(0, true);
  for (let offset = 0, i = 0; offset < input.length; offset += BLOCK, i++) {
    view.setUint32(0, (first + i) >>> 0, true);
    const stream = await keys.encrypt(counter);
    for (let j = 0; j < BLOCK && offset + j < input.length; j++) out[offset + j] = input[offset + j]! ^ stream[j]!;
  }
  return out;
}

/** Returns ciphertext ‖ tag. */
export async function aesGcmSivSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
  const keys = await deriveMessageKeys(key, nonce);
  const tag = await computeTag(keys, nonce, plaintext, aad);
  const ciphertext = await ctr(keys, tag, plaintext);
  const out = new Uint8Array(ciphertext.length + TAG_LENGTH);
  out.set(ciphertext);
  out.set(tag, ciphertext.length);
  return out;
}

/** Returns the plaintext, or null when the tag does not authenticate (wrong key or tampered). */
export async function aesGcmSivOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Promise<Uint8Array | null> {
  if (sealed.length < TAG_LENGTH) return null;
  const keys = await deriveMessageKeys(key, nonce);
  const tag = sealed.subarray(sealed.length - TAG_LENGTH);
  const plaintext = await ctr(keys, tag, sealed.subarray(0, sealed.length - TAG_LENGTH));
  const expected = await computeTag(keys, nonce, plaintext, aad);
  let diff = 0;
  for (let i = 0; i < TAG_LENGTH; i++) diff |= expected[i]! ^ tag[i]!;
  return diff === 0 ? plaintext : null;
}
