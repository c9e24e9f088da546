/**
 * @module Convex admin keys, issued and checked as Convex's keybroker does
 * (crates/keybroker/src/broker.rs `issue_key` / `check_admin_key`, encryptor.rs), so keys we
 * issue work with `npx convex deploy` and the dashboard, and keys Convex's own
 * `generate_admin_key.sh` printed work with our admin API.
 *
 * A key is `<instance name>|<hex>`; the hex is `01 ‖ nonce(12) ‖ AES-128-GCM-SIV(AdminKey
 * protobuf, aad = 01)`, keyed by KBKDF-CTR-HMAC-SHA256(INSTANCE_SECRET, "admin key")[0..16].
 * Keys issued before mid-2025 are `01 ‖ nonce(24) ‖ secretbox(…)` under the raw secret, with
 * the instance name inside the message; Convex still accepts them, and so do we.
 *
 * The instance name in front of `|` is not authenticated (it is not in the AAD): a key opens
 * every deployment that shares the secret once its prefix is edited. Give each deployment its
 * own secret (`deriveInstanceSecret`).
 */
import { aesGcmSivOpen, aesGcmSivSeal, NONCE_LENGTH, TAG_LENGTH } from './aes-gcm-siv.ts';
import { decodeAdminKey, encodeAdminKey, type AdminKeyMessage } from './admin-key-proto.ts';
import { secretboxOpen, SECRETBOX_MAC_LENGTH, SECRETBOX_NONCE_LENGTH } from './secretbox.ts';

const ADMIN_KEY_VERSION = 1;
const ADMIN_KEY_PURPOSE = 'admin key';

export type AdminIdentity = { kind: 'member'; memberId: bigint } | { kind: 'system' };
export type AdminKeyFormat = 'aes-128-gcm-siv' | 'legacy-secretbox';

export type AdminKeyCheck =
  | { ok: true; identity: AdminIdentity; readOnly: boolean; issuedAt: Date; format: AdminKeyFormat }
  | {
      ok: false;
      /**
       * malformed: not hex, wrong version byte or too short; not-authentic: sealed under
       * another secret, or altered; wrong-instance: authentic but names another instance;
       * incomplete: authentic but lacks the issue time, the identity or an instance name.
       */
      reason: 'malformed' | 'not-authentic' | 'wrong-instance' | 'incomplete';
      message: string;
    };

export interface IssueOptions {
  /** Convex member id; 0 (the default) is the generic admin that generate_admin_key.sh issues. */
  memberId?: bigint;
  /** A system key ("done by Convex") instead of a member's admin key. */
  system?: boolean;
  readOnly?: boolean;
  now?: Date;
}

function hexToBytes(hex: string): Uint8Array | null {
  const clean = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return null;
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => parseInt(b, 16));
}

function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** INSTANCE_SECRET is 32 bytes of hex (`openssl rand -hex 32`); anything else is a configuration bug. */
function parseInstanceSecret(instanceSecretHex: string): Uint8Array {
  const secret = hexToBytes(instanceSecretHex.trim());
  if (!secret || secret.length !== 32) throw new Error('INSTANCE_SECRET must be 64 hex characters (32 bytes)');
  return secret;
}

/** NIST SP 800-108 counter mode, as AWS-LC's KBKDF_ctr_hmac: HMAC(secret, be32(i) ‖ info), i from 1. */
export async function kbkdfCtrHmacSha256(secret: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', secret as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const out = new Uint8Array(length);
  for (let i = 1, done = 0; done < length; i++) {
    const input = new Uint8Array(4 + info.length);
    new DataView(input.buffer).setUint32(0, i, false);
    input.set(info, 4);
    const block = new Uint8Array(await crypto.subtle.sign('HMAC', key, input));
    out.set(block.subarray(0, Math.min(block.length, length - done)), done);
    done += block.length;
  }
  return out;
}

async function adminKeyEncryptionKey(secret: Uint8Array): Promise<Uint8Array> {
  return kbkdfCtrHmacSha256(secret, new TextEncoder().encode(ADMIN_KEY_PURPOSE), 16);
}

/** Issues a key in Convex's current format (what its `generate_key` prints). */
export async function issueAdminKey(instanceName: string, instanceSecretHex: string, options: IssueOptions = {}): Promise<string> {
  const secret = parseInstanceSecret(instanceSecretHex);
  const now = options.now ?? new Date();
  const message: AdminKeyMessage = {
    issuedS: BigInt(Math.floor(now.getTime() / 1000)),
    identity: options.system ? { system: true } : { memberId: options.memberId ?? 0n },
    isReadOnly: options.readOnly ?? false,
  };
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_LENGTH));
  const version = Uint8Array.of(ADMIN_KEY_VERSION);
  const sealed = await aesGcmSivSeal(await adminKeyEncryptionKey(secret), nonce, encodeAdminKey(message), version);
  return `${instanceName}|${bytesToHex(new Uint8Array([...version, ...nonce, ...sealed]))}`;
}

async function openCurrent(secret: Uint8Array, bytes: Uint8Array): Promise<Uint8Array | null> {
  if (bytes.length < 1 + NONCE_LENGTH + TAG_LENGTH) return null;
  const nonce = bytes.subarray(1, 1 + NONCE_LENGTH);
  return aesGcmSivOpen(await adminKeyEncryptionKey(secret), nonce, bytes.subarray(1 + NONCE_LENGTH), bytes.subarray(0, 1));
}

function openLegacy(secret: Uint8Array, bytes: Uint8Array): Uint8Array | null {
  if (bytes.length < 1 + SECRETBOX_NONCE_LENGTH + SECRETBOX_MAC_LENGTH) return null;
  return secretboxOpen(bytes.subarray(1 + SECRETBOX_NONCE_LENGTH), bytes.subarray(1, 1 + SECRETBOX_NONCE_LENGTH), secret);
}

const reject = (reason: Extract<AdminKeyCheck, { ok: false }>['reason'], message: string): AdminKeyCheck => ({ ok: false, reason, message });

/** Checks a key as Convex does. Admin keys carry no expiry; an issue time is required but not bounded. */
export async function checkAdminKey(instanceName: string, instanceSecretHex: string, key: string): Promise<AdminKeyCheck> {
  const secret = parseInstanceSecret(instanceSecretHex);
  const bar = key.indexOf('|');
  // The dashboard and CLI show `prod:name|…`; the part before ':' is decoration.
  const prefix = bar < 0 ? undefined : key.slice(0, bar);
  const prefixName = prefix?.slice(prefix.indexOf(':') + 1);
  const bytes = hexToBytes(bar < 0 ? key : key.slice(bar + 1));
  if (!bytes || bytes.length === 0) return reject('malformed', 'the admin key is not hex');
  if (bytes[0] !== ADMIN_KEY_VERSION) return reject('malformed', `unknown admin key version ${bytes[0]}`);

  let format: AdminKeyFormat = 'aes-128-gcm-siv';
  let plaintext = await openCurrent(secret, bytes);
  if (!plaintext) {
    format = 'legacy-secretbox';
    plaintext = openLegacy(secret, bytes);
  }
  if (!plaintext) return reject('not-authentic', 'the admin key was not issued with this instance secret, or was altered');
  const message = decodeAdminKey(plaintext);
  if (!message) return reject('incomplete', 'the admin key does not hold a valid message');

  const name = prefixName ?? message.instanceName;
  if (name === undefined) return reject('incomplete', 'the admin key names no instance');
  if (name !== instanceName) return reject('wrong-instance', `the admin key is for instance ${JSON.stringify(name)}, not ${JSON.stringify(instanceName)}`);
  if (message.issuedS === 0n) return reject('incomplete', 'the admin key has no issue time');
  if (!message.identity) return reject('incomplete', 'the admin key has no identity');

  const identity: AdminIdentity = 'memberId' in message.identity ? { kind: 'member', memberId: message.identity.memberId } : { kind: 'system' };
  return { ok: true, identity, readOnly: message.isReadOnly, issuedAt: new Date(Number(message.issuedS) * 1000), format };
}

/**
 * A per-deployment INSTANCE_SECRET from one Worker secret: HMAC-SHA256(master, name) as hex.
 * Separate secrets keep a key for one deployment from opening another (see the module note).
 */
export async function deriveInstanceSecret(masterSecretHex: string, instanceName: string): Promise<string> {
  const master = parseInstanceSecret(masterSecretHex);
  const key = await crypto.subtle.importKey('raw', master as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return bytesToHex(new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`convex instance secret\0${instanceName}`))));
}
