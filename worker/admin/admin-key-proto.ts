/**
 * @module The `convex_keys.AdminKey` protobuf message (crates/pb/protos/convex_keys.proto), by
 * hand: five fields do not justify a protobuf runtime.
 *
 *   message AdminKey {
 *     optional string instance_name = 1;   // only in legacy keys
 *     uint64 issued_s = 2;
 *     oneof identity { uint64 member_id = 3; google.protobuf.Empty system = 4; }
 *     bool is_read_only = 5;
 *   }
 */

export interface AdminKeyMessage {
  instanceName?: string;
  issuedS: bigint;
  identity?: { memberId: bigint } | { system: true };
  isReadOnly: boolean;
}

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

function writeVarint(out: number[], value: bigint): void {
  do {
    let byte = Number(value & 0x7fn);
    value >>= 7n;
    if (value > 0n) byte |= 0x80;
    out.push(byte);
  } while (value > 0n);
}

/** Encodes as prost does: fields in number order, proto3 defaults omitted, a set oneof always written. */
export function encodeAdminKey(message: AdminKeyMessage): Uint8Array {
  const out: number[] = [];
  if (message.instanceName !== undefined) {
    const bytes = new TextEncoder().encode(message.instanceName);
    out.push((1 << 3) | LEN);
    writeVarint(out, BigInt(bytes.length));
    out.push(...bytes);
  }
  if (message.issuedS !== 0n) {
    out.push((2 << 3) | VARINT);
    writeVarint(out, message.issuedS);
  }
  if (message.identity && 'memberId' in message.identity) {
    out.push((3 << 3) | VARINT);
    writeVarint(out, message.identity.memberId);
  } else if (message.identity) {
    out.push((4 << 3) | LEN, 0);
  }
  if (message.isReadOnly) out.push((5 << 3) | VARINT, 1);
  return Uint8Array.from(out);
}

/** Decodes, skipping unknown fields; null when the bytes are not a well-formed message. */
export function decodeAdminKey(bytes: Uint8Array): AdminKeyMessage | null {
  let offset = 0;
  const varint = (): bigint | null => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (offset >= bytes.length) return null;
      const byte = bytes[offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return result & 0xffffffffffffffffn;
    }
    return null;
  };
  const message: AdminKeyMessage = { issuedS: 0n, isReadOnly: false };
  while (offset < bytes.length) {
    const key = varint();
    if (key === null) return null;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (wire === VARINT) {
      const value = varint();
      if (value === null) return null;
      if (field === 2) message.issuedS = value;
      else if (field === 3) message.identity = { memberId: value };
      else if (field === 5) message.isReadOnly = value !== 0n;
    } else if (wire === LEN) {
      const length = varint();
      if (length === null || offset + Number(length) > bytes.length) return null;
      const body = bytes.subarray(offset, offset + Number(length));
      offset += Number(length);
      if (field === 1) {
        try {
          message.instanceName = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
        } catch {
          return null;
        }
      } else if (field === 4) message.identity = { system: true };
    } else if (wire === I64 || wire === I32) {
      offset += wire === I64 ? 8 : 4;
      if (offset > bytes.length) return null;
    } else {
      return null;
    }
  }
  return message;
}
