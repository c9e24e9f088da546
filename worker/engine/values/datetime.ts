/**
 * @module date, timestamp and timestamptz: text input as PostgreSQL accepts it (DateStyle
 * ISO, MDY; the forms are listed in datetime-input.ts; `epoch`), output in PostgreSQL's ISO style with the session TimeZone fixed at
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
import { decodeDateTime, zoneOffsetAt } from './datetime-input.ts';

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

type Parsed = { days: number; us: bigint; offsetSec: number; hasTime: boolean };

/** The shared parser (datetime-input.ts); errors name `typeLabel` as PostgreSQL does. */
function parseIso(text: string, typeLabel: string): Parsed | PgError {
  const d = decodeDateTime(text);
  if ('dterr' in d) {
    switch (d.dterr) {
      case 'field':
        return datetimeFieldOverflow(text);
      case 'md-field':
        return { ...datetimeFieldOverflow(text), hint: 'Perhaps you need a different "datestyle" setting.' };
      case 'tz':
        return { severity: 'ERROR', sqlstate: '22009', message: `time zone displacement out of range: "${text}"` };
      case 'zone':
        return { severity: 'ERROR', sqlstate: '22023', message: `time zone "${d.zone}" not recognized` };
      default:
        return invalidDatetimeFormat(typeLabel, text);
    }
  }
  if (d.special !== undefined) {
    if (d.special === 'epoch') return { days: 0, us: 0n, offsetSec: 0, hasTime: false };
    return featureNotSupported(`date/time value "${d.special}"`);
  }
  if (d.year > 10_000_000) return datetimeOutOfRange(typeLabel === 'date' ? 'date' : 'timestamp', text);
  const days = daysFromCivil(d.year, d.month, d.day);
  const us = BigInt(((d.hour * 60 + d.minute) * 60 + d.second) * 1_000_000) + BigInt(d.fsec);
  let offsetSec = 0;
  if (d.zone !== null && 'offsetSec' in d.zone) offsetSec = d.zone.offsetSec;
  else if (d.zone !== null) {
    // ICU's zone history (Intl) and PostgreSQL's tzdata disagree before 1970 (LMT, links):
    // refuse rather than guess an offset.
    if (days < 0) return featureNotSupported(`time zone name "${d.zone.name}" before 1970`);
    const off = zoneOffsetAt(d.zone.name, days * 86_400_000 + Number(us / 1000n));
    if (off === undefined) return datetimeOutOfRange(typeLabel === 'date' ? 'date' : 'timestamp', text);
    offsetSec = off;
  }
  return { days, us, offsetSec, hasTime: d.hasTime };
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
