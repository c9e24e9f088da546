/** @module Session settings: SET / SHOW / RESET for the parameters the engine honours or pins. */
import type { PgError } from '../../tunnel/types.ts';
import { Fail } from './translate/context.ts';

export interface Settings {
  search_path: string;
  [name: string]: string;
}

/** Values PostgreSQL reports and we pin: a SET to anything else is refused, not ignored. */
const pinned: Record<string, string[]> = {
  client_encoding: ['UTF8', 'UNICODE'],
  server_encoding: ['UTF8'],
  timezone: ['UTC', 'Etc/UTC', 'GMT', 'Z'],
  datestyle: ['ISO, MDY', 'ISO'],
  intervalstyle: ['postgres'],
  standard_conforming_strings: ['on'],
  integer_datetimes: ['on'],
  server_version: ['15.8'],
};

/** Settings accepted and stored (some are honoured elsewhere, e.g. timeouts by the transactions work). */
const free = new Set(['application_name', 'statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', 'extra_float_digits', 'client_min_messages', 'search_path']);

export function settingsDefaults(): Settings {
  return {
    search_path: '"$user", public',
    application_name: '',
    statement_timeout: '0',
    lock_timeout: '0',
    // PostgreSQL's default is 0 (never); one stuck client must not hold locks forever (README).
    idle_in_transaction_session_timeout: '5min',
    extra_float_digits: '1',
    client_min_messages: 'notice',
    ...Object.fromEntries(Object.entries(pinned).map(([k, v]) => [k, v[0]])),
    timezone: 'UTC',
    datestyle: 'ISO, MDY',
  };
}

function unrecognized(name: string): PgError {
  return { sqlstate: '42704', message: `unrecognized configuration parameter "${name}"` };
}

function argText(a: any): string {
  const c = a.A_Const;
  if (!c) throw new Fail({ sqlstate: '0A000', message: 'SET with a non-constant value is not supported' });
  if ('sval' in c) return c.sval.sval;
  if ('ival' in c) return String(c.ival.ival ?? 0);
  if ('fval' in c) return c.fval.fval;
  if ('boolval' in c) return c.boolval.boolval ? 'on' : 'off';
  return '';
}

/**
 * A setting from the startup packet (`search_path`, `statement_timeout`… or `options=-c name=value`),
 * as PostgreSQL applies them at connection. Pinned and unknown names are left to the shim, which
 * reports them; an invalid timeout keeps the default.
 */
export function applyStartupSetting(s: Settings, rawName: string, value: string): void {
  const name = rawName.toLowerCase();
  if (name === 'options') {
    for (const m of value.matchAll(/(?:-c\s*|--)([A-Za-z_.]+)=(\S+)/g)) applyStartupSetting(s, m[1], m[2]);
    return;
  }
  if (!free.has(name) || name in pinned) return;
  if (timeouts.has(name) && durationMs(value) === undefined) return;
  s[name] = value;
}

/** Apply a VariableSetStmt; returns the command tag. */
export function setSetting(s: Settings, stmt: any): string {
  if (stmt.kind === 'VAR_RESET_ALL') {
    Object.assign(s, settingsDefaults());
    return 'RESET';
  }
  const name = String(stmt.name ?? '').toLowerCase();
  if (stmt.kind === 'VAR_SET_MULTI' || name.startsWith('transaction') || name === 'session_characteristics') {
    throw new Fail({ sqlstate: '0A000', message: 'SET TRANSACTION is not supported yet' });
  }
  const defaults = settingsDefaults();
  if (!(name in defaults) && !free.has(name)) throw new Fail(unrecognized(name));
  const isReset = stmt.kind === 'VAR_RESET' || stmt.kind === 'VAR_SET_DEFAULT';
  const value = isReset ? defaults[name] : (stmt.args ?? []).map(argText).join(', ');
  if (timeouts.has(name) && durationMs(value) === undefined) {
    throw new Fail({ sqlstate: '22023', message: `invalid value for parameter "${name}": "${value}"`, hint: 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".' });
  }
  const allowed = pinned[name];
  if (allowed && !allowed.some((v) => v.toLowerCase() === value.toLowerCase())) {
    throw new Fail({ sqlstate: '0A000', message: `${name} can only be ${allowed[0]} here` });
  }
  s[name] = allowed ? allowed[0] : value;
  return isReset ? 'RESET' : 'SET';
}

const timeouts = new Set(['statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout']);

const units: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration setting in milliseconds (a bare number is milliseconds, as in PostgreSQL); 0 = off. */
export function durationMs(value: string): number | undefined {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/.exec(value);
  if (!m) return undefined;
  const ms = Number(m[1]) * units[m[2] ?? 'ms'];
  return ms < 0 ? undefined : Math.round(ms);
}

export function showSetting(s: Settings, rawName: string): string {
  const name = rawName.toLowerCase();
  if (name === 'all') throw new Fail({ sqlstate: '0A000', message: 'SHOW ALL is not supported' });
  if (name === 'timezone') return s.timezone;
  if (name in s) return s[name];
  if (name === 'max_identifier_length') return '63';
  throw new Fail(unrecognized(name));
}
