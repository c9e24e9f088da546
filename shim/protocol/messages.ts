/** @module The protocol's messages as typed data: what clients send, what the shim answers. */
import type { Column, PgError, TxStatus } from '../../tunnel/types.ts';

/** Packets of the startup phase, which carry no type byte. */
export type StartupPacket =
  | { type: 'sslRequest' }
  | { type: 'gssEncRequest' }
  | { type: 'cancelRequest'; pid: number; secret: number }
  | { type: 'startup'; major: number; minor: number; params: Record<string, string> };

/** Typed frontend messages, after startup. */
export type FrontendMessage =
  | { type: 'query'; sql: string }
  | { type: 'parse'; name: string; sql: string; paramOids: number[] }
  | { type: 'bind'; portal: string; statement: string; paramFormats: number[]; params: (Buffer | null)[]; resultFormats: number[] }
  | { type: 'describe'; kind: 'S' | 'P'; name: string }
  | { type: 'execute'; portal: string; maxRows: number }
  | { type: 'close'; kind: 'S' | 'P'; name: string }
  | { type: 'sync' }
  | { type: 'flush' }
  | { type: 'terminate' }
  /** PasswordMessage, SASLInitialResponse and SASLResponse share the code 'p'. */
  | { type: 'password'; data: Buffer }
  | { type: 'copyData'; data: Buffer }
  | { type: 'copyDone' }
  | { type: 'copyFail'; message: string };

export type BackendMessage =
  | { type: 'authenticationOk' }
  | { type: 'authenticationCleartextPassword' }
  | { type: 'authenticationSasl'; mechanisms: string[] }
  | { type: 'authenticationSaslContinue'; data: string }
  | { type: 'authenticationSaslFinal'; data: string }
  | { type: 'parameterStatus'; name: string; value: string }
  | { type: 'backendKeyData'; pid: number; secret: number }
  | { type: 'negotiateProtocolVersion'; minor: number; unrecognized: string[] }
  | { type: 'readyForQuery'; status: TxStatus }
  | { type: 'parseComplete' }
  | { type: 'bindComplete' }
  | { type: 'closeComplete' }
  | { type: 'noData' }
  | { type: 'portalSuspended' }
  | { type: 'emptyQueryResponse' }
  | { type: 'parameterDescription'; oids: number[] }
  /** `formats` under the 0/1/N rule, as Bind gave them. */
  | { type: 'rowDescription'; columns: Column[]; formats: number[] }
  /** Values already encoded in their column's format; null is SQL NULL. */
  | { type: 'dataRow'; values: (Uint8Array | null)[] }
  /** Copy-in mode begins: overall format and one format code per column (0 text, 1 binary). */
  | { type: 'copyInResponse'; format: number; columnFormats: number[] }
  | { type: 'commandComplete'; tag: string }
  | { type: 'error'; error: PgError }
  | { type: 'notice'; notice: PgError };

const startupTypes: ReadonlySet<string> = new Set(['sslRequest', 'gssEncRequest', 'cancelRequest', 'startup']);

export function isStartupPacket(m: FrontendMessage | StartupPacket): m is StartupPacket {
  return startupTypes.has(m.type);
}
