/**
 * @module Tunnel authentication: the shim (listener) sends a random nonce, the DO (dialer)
 * answers HMAC-SHA256(secret, nonce). The secret never crosses the wire. WebCrypto only, so the
 * same file runs in Node and in workerd.
 */

const NONCE_BYTES = 32;

export function newNonce(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
}

async function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
}

/** The dialer's proof that it knows the secret. */
export async function prove(secret: string, nonce: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), nonce));
}

/** Constant-time check of a proof (WebCrypto's verify compares in constant time). */
export async function verify(secret: string, nonce: Uint8Array, proof: Uint8Array): Promise<boolean> {
  if (nonce.length !== NONCE_BYTES) return false;
  return crypto.subtle.verify('HMAC', await hmacKey(secret), proof, nonce);
}
