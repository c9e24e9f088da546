/**
 * @module date, timestamp and timestamptz: ISO 8601 text input as PostgreSQL accepts it
 * (DateStyle ISO, MDY; `T` or space; fractional seconds rounded with rint; zone offsets, `Z`,
 * UTC/GMT; BC; `epoch`), output in PostgreSQL's ISO style with the session TimeZone fixed at
 * UTC, and the storage forms: date as text `YYYY-MM-DD` (`YYYY-MM-DD BC` before year 1),
 * timestamps as bigint microseconds since 1970-01-01 00:00:00 UTC.
 * Infinite and clock-relative values (infinity, now, today) are refused with 0A000.
 */
import type { PgError } from '../../../tunnel/types.ts';
import { OID } from '../../../tunnel/oids.ts';
import {
  datetimeFieldOverflow,
  datetimeOutOfRange,
  featureNotSupported,
  invalidDatetimeFormat,
} from '../errors.ts';

const US_PER_DAY = 86_400_000_000n;
/** Julian day 0 (4714-11-24 BC), PostgreSQL's first date and timestamp, in Unix days. */
const MIN_DAY = -2440588;
/**
 * PostgreSQL's timestamps end in 294276 AD, but int64 microseconds since 1970 (the storage
 * form) end at 294247-01-10 04:00:54.775807: later timestamps are refused as out of range.
 */
const MAX_TIMESTAMP_US = 2n ** 63n - 1n;

/** Days since 1970-01-01 of a proleptic Gregorian civil date (year 0 = 1 BC). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** PostgreSQL's last date, 5874897-12-31. */
const MAX_DATE_DAY = daysFromCivil(5874897, 12, 31);

export function civilFromDays(days: number): { y: number; m: number; d: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** C rint(): round half to even on the double, as ParseFractionalSecond does. */
function rint(v: number): number {
  const f = Math.floor(v);
  const diff = v - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

const DATE = String.raw`(?:(\d+)-(\d{1,2})-(\d{1,2})|(\d{4})(\d{2})(\d{2}))`;
const TIME = String.raw`(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?`;
const ZONE = String.raw`(?:\s*([zZ]|UTC|utc|GMT|gmt|[+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?))?`;
const ISO = new RegExp(String.raw`^\s*${DATE}(?:(?:[tT]|\s+)${TIME}${ZONE})?(?:\s+(BC|AD|bc|ad))?\s*$`);
const SPECIAL = /^\s*([+-]?infinity|now|today|tomorrow|yesterday|allballs|epoch)\s*$/i;

type Parsed = { days: number; us: bigint; offsetSec: number; hasTime: boolean };

function zoneOffsetSeconds(z: string): number {
  if (/^[zZ]|UTC|GMT$/i.test(z)) return 0;
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(z)!;
  const s = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return m[1] === '-' ? -s : s;
}

/** The shared ISO parser; errors name `typeLabel` as PostgreSQL does. */
function parseIso(text: string, typeLabel: string): Parsed | PgError {
  const special = SPECIAL.exec(text);
  if (special !== null) {
    const word = special[1]!.toLowerCase();
    if (word === 'epoch') return { days: 0, us: 0n, offsetSec: 0, hasTime: false };
    return featureNotSupported(`date/time value "${word}"`);
  }
  const m = ISO.exec(text);
  if (m === null) return invalidDatetimeFormat(typeLabel, text);
  const year = Number(m[1] ?? m[4]);
  const month = Number(m[2] ?? m[5]);
  const day = Number(m[3] ?? m[6]);
  const bc = m[12] !== undefined && m[12].toLowerCase() === 'bc';
  if (year === 0 || month < 1 || month > 12) return datetimeFieldOverflow(text);
  if (year > 10_000_000) return datetimeOutOfRange(typeLabel === 'date' ? 'date' : 'timestamp', text);
  const y = bc ? 1 - year : year;
  if (day < 1 || day > daysInMonth(y, month)) return datetimeFieldOverflow(text);
  const hasTime = m[7] !== undefined;
  const hour = Number(m[7] ?? 0);
  const minute = Number(m[8] ?? 0);
  const second = Number(m[9] ?? 0);
  const fraction = m[10] ?? '';
  const usFraction = fraction === '' ? 0 : rint(Number(`0.${fraction}`) * 1_000_000);
  if (minute > 59 || second > 60 || hour > 24 || (hour === 24 && (minute > 0 || second > 0 || usFraction > 0))) {
    return datetimeFieldOverflow(text);
  }
  let offsetSec = 0;
  if (m[11] !== undefined) {
    offsetSec = zoneOffsetSeconds(m[11]);
    if (Math.abs(offsetSec) > 15 * 3600 + 59 * 60 + 59) {
      return { severity: 'ERROR', sqlstate: '22009', message: `time zone displacement out of range: "${text}"` };
    }
  }
  const us = BigInt(((hour * 60 + minute) * 60 + second) * 1_000_000) + BigInt(usFraction);
  return { days: daysFromCivil(y, month, day), us, offsetSec, hasTime };
}

/** date text input: days since 1970-01-01 (any time of day is dropped, as PostgreSQL does). */
export function parseDate(text: string): number | PgError {
  const p = parseIso(text, 'date');
  if ('sqlstate' in p) return p;
  if (p.days < MIN_DAY || p.days > MAX_DATE_DAY) return datetimeOutOfRange('date', text);
  return p.days;
}

/**
 * timestamp / timestamptz text input: microseconds since the Unix epoch. A zone in the input
 * shifts a timestamptz to UTC and is ignored for timestamp; without one, UTC is assumed.
 */
export function parseTimestamp(oid: number, text: string): bigint | PgError {
  const label = oid === OID.timestamptz ? 'timestamp with time zone' : 'timestamp';
  const p = parseIso(text, label);
  if ('sqlstate' in p) return p;
  let us = BigInt(p.days) * US_PER_DAY + p.us;
  if (oid === OID.timestamptz) us -= BigInt(p.offsetSec) * 1_000_000n;
  if (!timestampInRange(us)) return datetimeOutOfRange('timestamp', text);
  return us;
}

export function timestampInRange(us: bigint): boolean {
  return us >= BigInt(MIN_DAY) * US_PER_DAY && us <= MAX_TIMESTAMP_US;
}

export function dateInRange(days: number): boolean {
  return days >= MIN_DAY && days <= MAX_DATE_DAY;
}

function yearText(y: number): { text: string; bc: boolean } {
  const bc = y <= 0;
  return { text: String(bc ? 1 - y : y).padStart(4, '0'), bc };
}

/** `2024-01-02`, `0044-03-15 BC`. */
export function formatDate(days: number): string {
  const { y, m, d } = civilFromDays(days);
  const year = yearText(y);
  const s = `${year.text}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return year.bc ? `${s} BC` : s;
}

/** `2024-01-02 03:04:05.123456`, with `+00` for timestamptz, trailing fraction zeros trimmed. */
export function formatTimestamp(oid: number, us: bigint): string {
  let days = us / US_PER_DAY;
  let rem = us % US_PER_DAY;
  if (rem < 0n) {
    rem += US_PER_DAY;
    days -= 1n;
  }
  const { y, m, d } = civilFromDays(Number(days));
  const year = yearText(y);
  const micros = Number(rem % 1_000_000n);
  const secs = Number(rem / 1_000_000n);
  const p2 = (n: number) => String(n).padStart(2, '0');
  let s = `${year.text}-${p2(m)}-${p2(d)} ${p2(Math.floor(secs / 3600))}:${p2(Math.floor(secs / 60) % 60)}:${p2(secs % 60)}`;
  if (micros > 0) s += `.${String(micros).padStart(6, '0').replace(/0+$/, '')}`;
  if (oid === OID.timestamptz) s += '+00';
  return year.bc ? `${s} BC` : s;
}

/** Parses the date storage text back into days. */
export function dateFromStorage(text: string): number {
  const m = /^(\d+)-(\d\d)-(\d\d)( BC)?$/.exec(text);
  if (m === null) throw new Error(`corrupt date in storage: ${text}`);
  const year = Number(m[1]);
  return daysFromCivil(m[4] === undefined ? year : 1 - year, Number(m[2]), Number(m[3]));
}
