/**
 * Convex admin keys: the ciphers against published vectors (RFC 8452 for AES-GCM-SIV, OpenSSL's
 * KBKDF for the key derivation), Convex's own dev keys (crates/keybroker/dev/*.txt, sealed by
 * Convex with the dev secret) checked as Convex would, and issued keys round-tripped.
 */
import { describe, expect, it } from 'vitest';
import { checkAdminKey, deriveInstanceSecret, issueAdminKey, kbkdfCtrHmacSha256 } from '../../../worker/admin/admin-key.ts';
import { aesGcmSivOpen, aesGcmSivSeal, polyval } from '../../../worker/admin/aes-gcm-siv.ts';
import { decodeAdminKey, encodeAdminKey } from '../../../worker/admin/admin-key-proto.ts';

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
const toHex = (u: Uint8Array) => Array.from(u, (b) => b.toString(16).padStart(2, '0')).join('');

// crates/keybroker/dev/: secret.txt, instance_name.txt, admin_key.txt, system_key.txt.
const DEV_SECRET = '4361726e697461732c206c69746572616c6c79206d65616e696e6720226c6974';
const DEV_INSTANCE = 'carnitas';
const DEV_ADMIN_KEY = '0135d8598650f8f5cb0f30c34ec2e2bb62793bc28717c8eb6fb577996d50be5f4281b59181095065c5d0f86a2c31ddbe9b597ec62b47ded69782cd';
const DEV_SYSTEM_KEY = 'carnitas|01ec1dc4339bc4a2c653e70016b1e1dea952bcfd707a0cd49c1bddcdfcd4d4a79bb2d6bdfa2f1493a1937cdb71e984c4a7';

const SECRET = 'a'.repeat(8) + '0123456789abcdef'.repeat(3) + 'b'.repeat(8);
const OTHER_SECRET = 'f'.repeat(64);

describe('AES-128-GCM-SIV (RFC 8452)', () => {
  it('POLYVAL matches Appendix A', () => {
    const out = polyval(hex('25629347589242761d31f826ba4b757b'), hex('4f4f95668c83dfb6401762bb2d01a262d1a24ddd2721d006bbe45f20d3c9f362'));
    expect(toHex(out)).toBe('f7a3b47b846119fae5b7866cf5e5b77e');
  });

  // Appendix C.1: key, nonce, aad, plaintext, ciphertext ‖ tag.
  const vectors: [string, string, string, string, string][] = [
    ['01000000000000000000000000000000', '030000000000000000000000', '', '', 'dc20e2d83f25705bb49e439eca56de25'],
    ['01000000000000000000000000000000', '030000000000000000000000', '', '0100000000000000', 'b5d839330ac7b786578782fff6013b815b287c22493a364c'],
    ['01000000000000000000000000000000', '030000000000000000000000', '01', '02000000000000000000000000000000030000000000000000000000000000000400000000000000000000000000000005000000000000000000000000000000',
      '2f5c64059db55ee0fb847ed513003746aca4e61c711b5de2e7a77ffd02da42feec601910d3467bb8b36ebbaebce5fba30d36c95f48a3e7980f0e7ac299332a80cdc46ae475563de037001ef84ae21744'],
    ['36864200e0eaf5284d884a0e77d31646', 'bae8e37fc83441b16034566b', '46bb91c3c5', '7a806c', 'af60eb711bd85bc1e4d3e0a462e074eea428a8'],
    ['f901cfe8a69615a93fdf7a98cad48179', '6245709fb18853f68d833640', '7576f7028ec6eb5ea7e298342a94d4b202b370ef9768ec6561c4fe6b7e7296fa859c21', 'e42a3c02c25b64869e146d7b233987bddfc240871d',
      '391cc328d484a4f46406181bcd62efd9b3ee197d052d15506c84a9edd65e13e9d24a2a6e70'],
  ];
  it.each(vectors)('seals and opens key %s, aad "%s"…', async (key, nonce, aad, plaintext, sealed) => {
    expect(toHex(await aesGcmSivSeal(hex(key), hex(nonce), hex(plaintext), hex(aad)))).toBe(sealed);
    const opened = await aesGcmSivOpen(hex(key), hex(nonce), hex(sealed), hex(aad));
    expect(opened && toHex(opened)).toBe(plaintext);
  });

  it('refuses a flipped bit anywhere, and another AAD', async () => {
    const [key, nonce, aad, , sealed] = vectors[4]!;
    for (const i of [0, 10, hex(sealed).length - 1]) {
      const bad = hex(sealed);
      bad[i]! ^= 1;
      expect(await aesGcmSivOpen(hex(key), hex(nonce), bad, hex(aad))).toBeNull();
    }
    expect(await aesGcmSivOpen(hex(key), hex(nonce), hex(sealed), hex('00'))).toBeNull();
  });
});

describe('KBKDF-CTR-HMAC-SHA256 as AWS-LC computes it', () => {
  // Expected values from OpenSSL, an independent implementation of the same construction:
  //   openssl kdf -keylen N -kdfopt mode:COUNTER -kdfopt digest:SHA2-256 -kdfopt mac:HMAC
  //     -kdfopt hexkey:<secret> -kdfopt info:"admin key" -kdfopt use-l:0 -kdfopt use-separator:0 KBKDF
  it('derives the admin key encryption key from the dev secret', async () => {
    const out = await kbkdfCtrHmacSha256(hex(DEV_SECRET), new TextEncoder().encode('admin key'), 16);
    expect(toHex(out)).toBe('a7526e1715ea4effa55636bee910d731');
  });
  it('chains the counter past one HMAC block', async () => {
    const out = await kbkdfCtrHmacSha256(hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'), new TextEncoder().encode('admin key'), 40);
    expect(toHex(out)).toBe('ce918d08f04afa58eadfa56cf8eedc2a8d97e66c2fa0aa5c8db072ee95dedf46c9ce31037a0f5f9b');
  });
});

describe('the AdminKey protobuf', () => {
  it('encodes as prost does and decodes back, member id 0 included', () => {
    const bytes = encodeAdminKey({ issuedS: 1_700_000_000n, identity: { memberId: 0n }, isReadOnly: false });
    expect(toHex(bytes)).toBe('1080e2cfaa061800');
    expect(decodeAdminKey(bytes)).toEqual({ issuedS: 1_700_000_000n, identity: { memberId: 0n }, isReadOnly: false });
    const system = encodeAdminKey({ issuedS: 1n, identity: { system: true }, isReadOnly: true });
    expect(toHex(system)).toBe('100122002801');
    expect(decodeAdminKey(system)).toEqual({ issuedS: 1n, identity: { system: true }, isReadOnly: true });
  });
  it('refuses truncated input', () => {
    expect(decodeAdminKey(hex('0a08636172'))).toBeNull();
    expect(decodeAdminKey(hex('1080'))).toBeNull();
  });
});

describe("Convex's own dev keys (legacy secretbox format)", () => {
  it('accepts the dev admin key, whose instance name is inside the message', async () => {
    const result = await checkAdminKey(DEV_INSTANCE, DEV_SECRET, DEV_ADMIN_KEY);
    expect(result).toEqual({ ok: true, identity: { kind: 'member', memberId: 0n }, readOnly: false, issuedAt: new Date('2021-12-06T21:39:13Z'), format: 'legacy-secretbox' });
  });
  it('accepts the dev system key, and a dashboard-style "dev:" prefix', async () => {
    const result = await checkAdminKey(DEV_INSTANCE, DEV_SECRET, DEV_SYSTEM_KEY);
    expect(result.ok && result.identity).toEqual({ kind: 'system' });
    expect((await checkAdminKey(DEV_INSTANCE, DEV_SECRET, `dev:${DEV_SYSTEM_KEY}`)).ok).toBe(true);
  });
  it('rejects them for another instance, under another secret, or altered', async () => {
    expect(await checkAdminKey('tacos', DEV_SECRET, DEV_ADMIN_KEY)).toMatchObject({ ok: false, reason: 'wrong-instance' });
    expect(await checkAdminKey(DEV_INSTANCE, OTHER_SECRET, DEV_ADMIN_KEY)).toMatchObject({ ok: false, reason: 'not-authentic' });
    const altered = DEV_ADMIN_KEY.slice(0, 60) + (DEV_ADMIN_KEY[60] === '0' ? '1' : '0') + DEV_ADMIN_KEY.slice(61);
    expect(await checkAdminKey(DEV_INSTANCE, DEV_SECRET, altered)).toMatchObject({ ok: false, reason: 'not-authentic' });
  });
});

describe('issued keys (current format)', () => {
  it('has the shape generate_key prints: name|01, 12-byte nonce, 8-byte message, 16-byte tag', async () => {
    const key = await issueAdminKey('happy-otter-123', SECRET, { now: new Date('2026-01-02T03:04:05Z') });
    expect(key).toMatch(/^happy-otter-123\|01[0-9a-f]{72}$/);
    const again = await issueAdminKey('happy-otter-123', SECRET, { now: new Date('2026-01-02T03:04:05Z') });
    expect(again).not.toBe(key); // random nonce
  });

  it('round-trips: member, read-only, system', async () => {
    const now = new Date('2026-01-02T03:04:05Z');
    expect(await checkAdminKey('happy-otter-123', SECRET, await issueAdminKey('happy-otter-123', SECRET, { now }))).toEqual({
      ok: true, identity: { kind: 'member', memberId: 0n }, readOnly: false, issuedAt: now, format: 'aes-128-gcm-siv',
    });
    const readOnly = await checkAdminKey('happy-otter-123', SECRET, await issueAdminKey('happy-otter-123', SECRET, { memberId: 18_446_744_073_709_551_615n, readOnly: true }));
    expect(readOnly).toMatchObject({ ok: true, identity: { kind: 'member', memberId: 18_446_744_073_709_551_615n }, readOnly: true });
    const system = await checkAdminKey('happy-otter-123', SECRET, await issueAdminKey('happy-otter-123', SECRET, { system: true }));
    expect(system).toMatchObject({ ok: true, identity: { kind: 'system' } });
  });

  it('rejects every altered hex digit', async () => {
    const key = await issueAdminKey('happy-otter-123', SECRET);
    const start = key.indexOf('|') + 3; // past the version byte, which has its own rejection
    for (let i = start; i < key.length; i++) {
      const altered = key.slice(0, i) + (key[i] === 'a' ? 'b' : 'a') + key.slice(i + 1);
      const result = await checkAdminKey('happy-otter-123', SECRET, altered);
      expect(result.ok, `digit ${i}`).toBe(false);
    }
  });

  it('rejects another instance, another secret, and malformed keys', async () => {
    const key = await issueAdminKey('happy-otter-123', SECRET);
    expect(await checkAdminKey('sad-otter-456', SECRET, key)).toMatchObject({ ok: false, reason: 'wrong-instance' });
    expect(await checkAdminKey('happy-otter-123', OTHER_SECRET, key)).toMatchObject({ ok: false, reason: 'not-authentic' });
    expect(await checkAdminKey('happy-otter-123', SECRET, 'happy-otter-123|zz')).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await checkAdminKey('happy-otter-123', SECRET, key.replace('|01', '|02'))).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await checkAdminKey('happy-otter-123', SECRET, '')).toMatchObject({ ok: false, reason: 'malformed' });
    expect(await checkAdminKey('happy-otter-123', SECRET, key.slice(0, 40))).toMatchObject({ ok: false, reason: 'not-authentic' });
  });

  it('a key whose prefix is edited opens only where the secret is shared, so derive one per deployment', async () => {
    const key = await issueAdminKey('alpha', SECRET);
    const edited = key.replace(/^alpha\|/, 'beta|');
    expect((await checkAdminKey('beta', SECRET, edited)).ok).toBe(true); // Convex's own behaviour
    const alphaSecret = await deriveInstanceSecret(SECRET, 'alpha');
    const betaSecret = await deriveInstanceSecret(SECRET, 'beta');
    expect(alphaSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(betaSecret).not.toBe(alphaSecret);
    const alphaKey = await issueAdminKey('alpha', alphaSecret);
    expect((await checkAdminKey('alpha', alphaSecret, alphaKey)).ok).toBe(true);
    expect(await checkAdminKey('beta', betaSecret, alphaKey.replace(/^alpha\|/, 'beta|'))).toMatchObject({ ok: false, reason: 'not-authentic' });
  });

  it('throws on an instance secret that is not 32 bytes of hex (a configuration bug)', async () => {
    await expect(issueAdminKey('x', 'abc')).rejects.toThrow(/64 hex/);
    await expect(checkAdminKey('x', 'g'.repeat(64), 'x|01')).rejects.toThrow(/64 hex/);
  });
});
