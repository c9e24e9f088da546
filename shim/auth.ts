/**
 * @module Password authentication, server side: SCRAM-SHA-256 (RFC 5802/7677, as PostgreSQL
 * runs it, without channel binding) and cleartext. Pure steps; the connection drives them.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

const ITERATIONS = 4096;

interface Keys {
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

const hmac = (key: Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** Derived once per password and process: PBKDF2 is deliberately slow. */
let cached: { password: string; keys: Keys } | undefined;
function keysFor(password: string): Keys {
  if (cached?.password === password) return cached.keys;
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, ITERATIONS, 32, 'sha256');
  const keys = { salt, storedKey: createHash('sha256').update(hmac(salted, 'Client Key')).digest(), serverKey: hmac(salted, 'Server Key') };
  cached = { password, keys };
  return keys;
}

export class ScramExchange {
  readonly #keys: Keys;
  #clientFirstBare = '';
  #serverFirst = '';
  #nonce = '';

  constructor(password: string) {
    this.#keys = keysFor(password);
  }

  /** client-first-message → server-first-message, or null when malformed. */
  first(clientFirst: string): string | null {
    const m = /^([nyp])(?:=[^,]*)?,[^,]*,(.*)$/.exec(clientFirst);
    if (!m || m[1] === 'p') return null; // channel binding is not offered
    this.#clientFirstBare = m[2];
    const nonce = /(?:^|,)r=([^,]+)/.exec(this.#clientFirstBare)?.[1];
    if (!nonce) return null;
    this.#nonce = nonce + randomBytes(18).toString('base64');
    this.#serverFirst = `r=${this.#nonce},s=${this.#keys.salt.toString('base64')},i=${ITERATIONS}`;
    return this.#serverFirst;
  }

  /** client-final-message → server-final-message when the proof is right, else null. */
  final(clientFinal: string): string | null {
    const proofAt = clientFinal.lastIndexOf(',p=');
    if (proofAt < 0) return null;
    const withoutProof = clientFinal.slice(0, proofAt);
    const nonce = /(?:^|,)r=([^,]+)/.exec(withoutProof)?.[1];
    if (nonce !== this.#nonce) return null;
    const proof = Buffer.from(clientFinal.slice(proofAt + 3), 'base64');
    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${withoutProof}`;
    const signature = hmac(this.#keys.storedKey, authMessage);
    if (proof.length !== signature.length) return null;
    const clientKey = Buffer.from(proof.map((b: number, i: number) => b ^ signature[i]));
    const stored = createHash('sha256').update(clientKey).digest();
    if (!timingSafeEqual(stored, this.#keys.storedKey)) return null;
    return `v=${hmac(this.#keys.serverKey, authMessage).toString('base64')}`;
  }
}

/** Constant-time comparison of a cleartext password. */
export function checkCleartext(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
