/**
 * @module Date/time text input in the shape of PostgreSQL's datetime.c (ParseDateTime splits
 * the text into typed fields, DecodeDateTime assigns them), for DateStyle ISO, MDY: ISO 8601
 * with `T` or space, `01/02/2024`, `Jan 2, 2024`, `2024-Jan-02`, `20240102T030405`,
 * `1999.008` (day of year), AM/PM, BC/AD, two-digit years (70-99 → 19xx, else 20xx),
 * numeric zones, PostgreSQL's fixed-offset abbreviations (`PST`, `CET`…) and IANA names
 * (`America/New_York`, through Intl). Errors carry the DTERR kind; datetime.ts words them.
 */

/** bad format → 22007; field → 22008; tz → 22009; zone → 22023 (unknown zone name). */
export type DtErr = { dterr: 'format' | 'field' | 'md-field' | 'tz' | 'zone'; zone?: string };

export interface DecodedDateTime {
  /** Astronomical year (1 BC = 0), month 1-12, day 1-31. */
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Microseconds, already rounded (0..1_000_000). */
  fsec: number;
  hasTime: boolean;
  /** Seconds east of UTC given in the text, or a named zone to resolve, or none. */
  zone: { offsetSec: number } | { name: string } | null;
  /** `epoch`, `infinity`, `-infinity`, `now`… when the text is that word alone. */
  special?: string;
}

type FieldType = 'date' | 'time' | 'number' | 'string' | 'tz' | 'special';
interface Field { type: FieldType; text: string }

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined) => c !== undefined && /^[A-Za-z]$/.test(c);
const isAlnum = (c: string | undefined) => isDigit(c) || isAlpha(c);
const isSpace = (c: string | undefined) => c !== undefined && /^[ \t\n\r\v\f]$/.test(c);
const isPunct = (c: string | undefined) => c !== undefined && /^[!-/:-@[-`{-~]$/.test(c);

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_WORDS: ReadonlyMap<string, number> = new Map([
  ...MONTHS.map((m, i) => [m, i + 1] as const),
  ...['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'].map((m, i) => [m, i + 1] as const),
  ['sept', 9],
]);
const DOW_WORDS = new Set(['sun', 'mon', 'tue', 'tues', 'wed', 'wednes', 'thu', 'thur', 'thurs', 'fri', 'sat', 'sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']);
const SPECIAL_WORDS = new Set(['epoch', 'infinity', '-infinity', '+infinity', 'now', 'today', 'tomorrow', 'yesterday']);
/** Words of datetime.c's core table that are not zone abbreviations. */
const KEYWORDS = new Set([...MONTH_WORDS.keys(), ...DOW_WORDS, ...SPECIAL_WORDS, 'am', 'pm', 'ad', 'bc', 't', 'j', 'julian', 'allballs', 'on', 'at', 'current', 'd', 'h', 'm', 's', 'y']);

/**
 * PostgreSQL 15's default abbreviations (timezonesets/Default) that have a fixed offset, in
 * seconds east of UTC. Abbreviations PostgreSQL defines through a zone's history are not here
 * and fail as unknown words (an error, never a guessed offset).
 */
const ABBREVIATIONS: ReadonlyMap<string, number> = new Map(
  (
    'EAT 10800;SAST 7200;WAT 3600;ACT -18000;AKDT -28800;AKST -32400;BOT -14400;BRA -10800;BRST -7200;BRT -10800;' +
    'COT -18000;CDT -18000;CLST -10800;CST -21600;EDT -14400;EGST 0;EGT -3600;EST -18000;FNT -7200;FNST -3600;GFT -10800;' +
    'MDT -21600;MST -25200;NDT -9000;NFT -12600;NST -12600;PET -18000;PDT -25200;PMDT -7200;PMST -10800;PST -28800;' +
    'PYST -10800;UYST -7200;UYT -10800;WGST -7200;WGT -10800;DDUT 36000;AFT 16200;ALMT 21600;ALMST 25200;AMT -14400;' +
    'BDT 21600;BNT 28800;BORT 28800;BTT 21600;CCT 28800;HKT 28800;ICT 25200;IDT 10800;IRT 12600;IST 7200;JAYT 32400;' +
    'JST 32400;KDT 36000;KGST 21600;KST 32400;MMT 23400;MYT 28800;NPT 20700;PHT 28800;PKT 18000;PKST 21600;TJT 18000;' +
    'ULAST 32400;UZST 21600;UZT 18000;XJT 21600;YEKST 21600;ADT -10800;AST -14400;AZOST 0;AZOT -3600;ACSST 37800;' +
    'ACDT 37800;ACST 34200;ACWST 31500;AESST 39600;AEDT 39600;AEST 36000;AWSST 32400;AWST 28800;CADT 37800;CAST 34200;' +
    'LHST 37800;LIGT 36000;NZT 43200;SADT 37800;WADT 28800;WAST 25200;WDT 32400;GMT 0;UCT 0;UT 0;UTC 0;Z 0;ZULU 0;' +
    'BST 3600;BDST 7200;CEST 7200;CET 3600;CETDST 7200;EEST 10800;EET 7200;EETDST 10800;FET 10800;MEST 7200;MESZ 7200;' +
    'MET 3600;METDST 7200;MEZ 3600;MSD 14400;WET 0;WETDST 3600;CXT 25200;MUT 14400;MUST 18000;MVT 18000;RET 14400;' +
    'SCT 14400;TFT 18000;CHADT 49500;CHAST 45900;CHUT 36000;FJST 46800;FJT 43200;GALT -21600;GAMT -32400;GILT 43200;' +
    'HST -36000;MART -34200;MHT 43200;MPT 36000;NZDT 46800;NZST 43200;PGT 36000;PONT 39600;PWT 32400;TAHT -36000;' +
    'TOT 46800;TRUT 36000;TVT 43200;VUT 39600;WAKT 43200;WFT 43200;YAPT 36000'
  )
    .split(';')
    .map((e) => {
      const [name, off] = e.split(' ');
      return [name!.toLowerCase(), Number(off)] as const;
    }),
);

/** ParseDateTime: the text as typed fields (lower-cased), or a format error. */
function splitFields(text: string): Field[] | DtErr {
  const fields: Field[] = [];
  let i = 0;
  const s = text;
  while (i < s.length) {
    const c = s[i]!;
    if (isSpace(c)) {
      i++;
      continue;
    }
    let f = '';
    let type: FieldType;
    if (isDigit(c)) {
      while (isDigit(s[i])) f += s[i++];
      if (s[i] === ':') {
        type = 'time';
        while (isDigit(s[i]) || s[i] === ':' || s[i] === '.') f += s[i++];
      } else if (s[i] === '-' || s[i] === '/' || s[i] === '.') {
        const delim = s[i]!;
        f += s[i++];
        if (isDigit(s[i])) {
          type = delim === '.' ? 'number' : 'date';
          while (isDigit(s[i])) f += s[i++];
          if (s[i] === delim) {
            type = 'date';
            while (isDigit(s[i]) || s[i] === delim) f += s[i++];
          }
        } else {
          type = 'date';
          while (isAlnum(s[i]) || s[i] === delim) f += s[i++]!.toLowerCase();
        }
      } else type = 'number';
    } else if (c === '.') {
      f += s[i++];
      while (isDigit(s[i])) f += s[i++];
      type = 'number';
    } else if (isAlpha(c)) {
      type = 'string';
      while (isAlpha(s[i])) f += s[i++]!.toLowerCase();
      let isDate = s[i] === '-' || s[i] === '/' || s[i] === '.';
      if (!isDate && (s[i] === '+' || isDigit(s[i]))) isDate = !KEYWORDS.has(f);
      if (isDate) {
        type = 'date';
        do f += s[i++]!.toLowerCase();
        while (s[i] === '+' || s[i] === '-' || s[i] === '/' || s[i] === '_' || s[i] === '.' || s[i] === ':' || isAlnum(s[i]));
      }
    } else if (c === '+' || c === '-') {
      f += s[i++];
      while (isSpace(s[i])) i++;
      if (isDigit(s[i])) {
        type = 'tz';
        while (isDigit(s[i]) || s[i] === ':' || s[i] === '.' || s[i] === '-') f += s[i++];
      } else if (isAlpha(s[i])) {
        type = 'special';
        while (isAlpha(s[i])) f += s[i++]!.toLowerCase();
      } else return { dterr: 'format' };
    } else if (isPunct(c)) {
      i++;
      continue;
    } else return { dterr: 'format' };
    fields.push({ type, text: f });
  }
  return fields;
}

const M = { year: 1, month: 2, day: 4, doy: 8, time: 16, tz: 32, ampm: 64, adbc: 128, dow: 256 };
const DATE_M = M.year | M.month | M.day;

class Decoder {
  fmask = 0;
  year = 0;
  month = 0;
  day = 0;
  doy = 0;
  hour = 0;
  minute = 0;
  second = 0;
  fsec = 0;
  is2digits = false;
  textMonth = false;
  bc = false;
  mer: 'am' | 'pm' | null = null;
  zone: DecodedDateTime['zone'] = null;
  /** Set by a `t` field: the next field is the time (hhmmss, hh:mm:ss or hhmmss-zz). */
  isoTime = false;
  /** Set by a `j` field: the next number is a Julian day. */
  julian = false;
  isJulian = false;

  /** Claims the bits of `tmask`; a field given twice is a format error. */
  claim(tmask: number): DtErr | undefined {
    if (this.fmask & tmask) return { dterr: 'format' };
    this.fmask |= tmask;
    return undefined;
  }

  /** DecodeNumber: one numeric date field, placed by what is known so far (MDY order). */
  number(str: string): DtErr | undefined {
    const flen = str.indexOf('.') < 0 ? str.length : str.indexOf('.');
    if (str.includes('.')) {
      if (flen > 2) return this.numberField(str);
      return { dterr: 'format' };
    }
    if (!/^\d+$/.test(str)) return { dterr: 'format' };
    const val = Number(str);
    if (flen === 3 && (this.fmask & DATE_M) === M.year && val >= 1 && val <= 366) {
      this.doy = val;
      return this.claim(M.doy | M.month | M.day);
    }
    const have = this.fmask & DATE_M;
    let which: 'year' | 'month' | 'day';
    if (have === 0) which = flen >= 3 ? 'year' : 'month';
    else if (have === M.year) which = 'month';
    else if (have === M.month) which = this.textMonth ? (flen >= 3 ? 'year' : 'day') : 'day';
    else if (have === (M.year | M.month)) {
      if (this.textMonth && flen >= 3 && this.is2digits) {
        // DD-MON-YYYY: the first number was the day after all.
        this.day = this.year;
        this.year = val;
        this.is2digits = false;
        return this.claim(M.day);
      }
      which = 'day';
    } else if (have === M.day) which = 'month';
    else if (have === (M.month | M.day)) which = 'year';
    else if (have === DATE_M) return this.numberField(str);
    else return { dterr: 'format' };
    this[which] = val;
    if (which === 'year') this.is2digits = flen <= 2;
    return this.claim(M[which]);
  }

  /** DecodeNumberField: run-together yyyymmdd / yymmdd, hhmmss(.f) or hhmm. */
  numberField(str: string): DtErr | undefined {
    let digits = str;
    const dot = str.indexOf('.');
    if (dot >= 0) {
      const frac = Number(str.slice(dot));
      if (!/^\.\d*$/.test(str.slice(dot)) || Number.isNaN(frac)) return { dterr: 'format' };
      this.fsec = Math.round(frac * 1e6); // rint on a value that is never exactly .5 µs in practice
      digits = str.slice(0, dot);
    } else if ((this.fmask & DATE_M) !== DATE_M && digits.length >= 6) {
      this.day = Number(digits.slice(-2));
      this.month = Number(digits.slice(-4, -2));
      this.year = Number(digits.slice(0, -4));
      this.is2digits = digits.length - 4 === 2;
      return this.claim(DATE_M);
    }
    if ((this.fmask & M.time) === 0) {
      if (digits.length === 6 || digits.length === 4) {
        this.hour = Number(digits.slice(0, 2));
        this.minute = Number(digits.slice(2, 4));
        this.second = digits.length === 6 ? Number(digits.slice(4, 6)) : 0;
        return this.claim(M.time);
      }
    }
    return { dterr: 'format' };
  }

  /** DecodeDate: a field with embedded separators; month names first, then numbers. */
  date(str: string): DtErr | undefined {
    const parts = str.split(/[^A-Za-z0-9]+/).filter((p) => p !== '');
    const numbers: string[] = [];
    for (const p of parts) {
      if (isAlpha(p[0])) {
        const month = MONTH_WORDS.get(p);
        if (month === undefined) return { dterr: 'format' };
        this.month = month;
        this.textMonth = true;
        const e = this.claim(M.month);
        if (e) return e;
      } else numbers.push(p);
    }
    // A '.'-separated two-field date such as 1999.008 keeps its day-of-year reading.
    for (const n of numbers) {
      const e = this.number(n);
      if (e) return e;
    }
    return undefined;
  }

  /** DecodeTime: h:m, h:m:s, h:m:s.f, or m:s.f. */
  time(str: string): DtErr | undefined {
    const m = /^(\d+):(\d+)(?:(:(\d+))?(\.\d*)?)?$/.exec(str);
    if (m === null) return { dterr: 'format' };
    let [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[4] ?? 0)];
    if (m[5] !== undefined) {
      this.fsec = m[5] === '.' ? 0 : rint(Number(m[5]) * 1e6);
      if (m[3] === undefined) [h, mi, s] = [0, h, mi];
    }
    if (mi > 59 || s > 60 || this.fsec > 1_000_000) return { dterr: 'field' };
    [this.hour, this.minute, this.second] = [h, mi, s];
    const e = this.claim(M.time);
    if (e) return e;
    if (h > 24 || (h === 24 && (mi > 0 || s > 0 || this.fsec > 0))) return { dterr: 'field' };
    return undefined;
  }
}

/** C rint(): half to even. */
function rint(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/** DecodeTimezone: `+h`, `+hh`, `+hhmm`, `+hh:mm`, `+hh:mm:ss`, in seconds east of UTC. */
function numericZone(str: string): number | DtErr {
  const m = /^([+-])(\d+)(?::(\d+)(?::(\d+))?)?$/.exec(str);
  if (m === null) return { dterr: 'format' };
  let hr = Number(m[2]);
  let min = Number(m[3] ?? 0);
  const sec = Number(m[4] ?? 0);
  if (m[3] === undefined && m[2]!.length > 2) {
    min = hr % 100;
    hr = Math.floor(hr / 100);
  }
  if (hr > 15 || min >= 60 || sec >= 60) return { dterr: 'tz' };
  const tz = (hr * 60 + min) * 60 + sec;
  return m[1] === '-' ? -tz : tz;
}

/** True when Intl knows `name` as an IANA zone. */
export function isZoneName(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Decodes date/time text; `wantTime` false for date input (a time is then parsed and dropped). */
export function decodeDateTime(text: string): DecodedDateTime | DtErr {
  const fields = splitFields(text);
  if ('dterr' in fields) return fields;
  if (fields.length === 1 && (fields[0]!.type === 'string' || fields[0]!.type === 'special') && SPECIAL_WORDS.has(fields[0]!.text)) {
    return { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, fsec: 0, hasTime: false, zone: null, special: fields[0]!.text.replace('+', '') };
  }
  const d = new Decoder();
  for (const f of fields) {
    let e: DtErr | undefined;
    if (d.julian) {
      d.julian = false;
      if (f.type !== 'number' || !/^\d+$/.test(f.text)) return { dterr: 'format' };
      const t = new Date((Number(f.text) - 2440588) * 86_400_000);
      if (Number.isNaN(t.getTime())) return { dterr: 'field' };
      [d.year, d.month, d.day, d.isJulian] = [t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate(), true];
      e = d.claim(DATE_M);
      if (e) return e;
      continue;
    }
    if (d.isoTime && f.type === 'date' && isDigit(f.text[0])) {
      // hhmmss-zz after `T`.
      d.isoTime = false;
      const dash = f.text.indexOf('-');
      if (dash < 0) return { dterr: 'format' };
      const tz = numericZone(f.text.slice(dash));
      if (typeof tz !== 'number') return tz;
      d.zone = { offsetSec: tz };
      e = d.claim(M.tz) ?? d.numberField(f.text.slice(0, dash));
      if (e) return e;
      continue;
    }
    if (d.isoTime && f.type !== 'time' && f.type !== 'number') return { dterr: 'format' };
    if (f.type === 'time') d.isoTime = false;
    switch (f.type) {
      case 'date':
        if ((d.fmask & (M.month | M.day)) === (M.month | M.day)) {
          // A date-shaped field after the date is a zone: `America/New_York`, `EST5EDT`.
          if (isDigit(f.text[0])) return { dterr: 'format' };
          if (!isZoneName(f.text)) return { dterr: 'zone', zone: f.text };
          d.zone = { name: f.text };
          e = d.claim(M.tz);
        } else e = d.date(f.text);
        break;
      case 'time':
        e = d.time(f.text);
        break;
      case 'tz': {
        const tz = numericZone(f.text);
        if (typeof tz !== 'number') return tz;
        d.zone = { offsetSec: tz };
        e = d.claim(M.tz);
        break;
      }
      case 'number':
        if (d.isoTime) {
          d.isoTime = false;
          const before = d.fmask;
          e = d.numberField(f.text);
          if (!e && (d.fmask & ~before) !== M.time) e = { dterr: 'format' };
        } else if (f.text.includes('.') && (d.fmask & DATE_M) === 0) e = d.date(f.text);
        else if (f.text.includes('.') && f.text.indexOf('.') > 2) e = d.numberField(f.text);
        else if (f.text.length > 4 && !f.text.includes('.')) e = d.numberField(f.text);
        else e = d.number(f.text);
        break;
      case 'string':
      case 'special':
        e = word(d, f.text);
        break;
    }
    if (e) return e;
  }
  if (d.isoTime || d.julian) return { dterr: 'format' };
  return finish(d);
}

function word(d: Decoder, w: string): DtErr | undefined {
  const month = MONTH_WORDS.get(w);
  if (month !== undefined) {
    // A numeric month already read becomes the day: `2 Jan 2024`.
    if (d.fmask & M.month && !d.textMonth && !(d.fmask & M.day) && d.month >= 1 && d.month <= 31) {
      d.day = d.month;
      d.fmask = (d.fmask & ~M.month) | M.day;
    }
    d.textMonth = true;
    d.month = month;
    return d.claim(M.month);
  }
  if (DOW_WORDS.has(w)) return d.claim(M.dow);
  if (w === 'on' || w === 'at') return undefined;
  if (w === 'am' || w === 'pm') {
    d.mer = w;
    return d.claim(M.ampm);
  }
  if (w === 'ad' || w === 'bc') {
    d.bc = w === 'bc';
    return d.claim(M.adbc);
  }
  if (w === 't') {
    if ((d.fmask & DATE_M) !== DATE_M) return { dterr: 'format' };
    d.isoTime = true;
    return undefined;
  }
  if (w === 'j' || w === 'julian') {
    d.julian = true;
    return undefined;
  }
  if (w === 'allballs') {
    d.zone = { offsetSec: 0 };
    return d.claim(M.time | M.tz);
  }
  const abbrev = ABBREVIATIONS.get(w);
  if (abbrev !== undefined) {
    d.zone = { offsetSec: abbrev };
    return d.claim(M.tz);
  }
  if (!KEYWORDS.has(w) && isZoneName(w)) {
    d.zone = { name: w };
    return d.claim(M.tz);
  }
  return { dterr: 'format' };
}

/** ValidateDate plus DecodeDateTime's closing checks. */
function finish(d: Decoder): DecodedDateTime | DtErr {
  if (d.fmask & M.year && !d.isJulian) {
    if (d.bc) {
      if (d.year <= 0) return { dterr: 'field' };
      d.year = 1 - d.year;
    } else if (d.is2digits) {
      if (d.year < 70) d.year += 2000;
      else if (d.year < 100) d.year += 1900;
    } else if (d.year <= 0) return { dterr: 'field' };
  }
  if (d.fmask & M.doy) {
    const jan1 = Date.UTC(2000, 0, 1);
    const t = new Date(jan1 + (d.doy - 1) * 86_400_000);
    t.setUTCFullYear(d.year, 0, d.doy);
    [d.month, d.day] = [t.getUTCMonth() + 1, t.getUTCDate()];
    if (t.getUTCFullYear() !== d.year) d.year = t.getUTCFullYear();
  }
  if (d.fmask & M.month && (d.month < 1 || d.month > 12)) return { dterr: 'md-field' };
  if (d.fmask & M.day && (d.day < 1 || d.day > 31)) return { dterr: 'md-field' };
  if ((d.fmask & DATE_M) === DATE_M && d.day > daysInMonth(d.year, d.month)) return { dterr: 'field' };
  if (d.mer !== null && d.hour > 12) return { dterr: 'field' };
  if (d.mer === 'am' && d.hour === 12) d.hour = 0;
  else if (d.mer === 'pm' && d.hour !== 12) d.hour += 12;
  if ((d.fmask & DATE_M) !== DATE_M) return { dterr: 'format' };
  return {
    year: d.year, month: d.month, day: d.day, hour: d.hour, minute: d.minute, second: d.second, fsec: d.fsec,
    hasTime: (d.fmask & M.time) !== 0, zone: d.zone,
  };
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/**
 * Seconds east of UTC that zone `name` observes at local wall time `localMs` (ms since 1970
 * read as if UTC), resolved as PostgreSQL's DetermineTimeZoneOffset does. Undefined outside
 * Date's range. Zone history comes from the runtime's ICU data, which can differ from
 * PostgreSQL's tzdata before 1970.
 */
export function zoneOffsetAt(name: string, localMs: number): number | undefined {
  if (!Number.isFinite(localMs) || Math.abs(localMs) > 8.64e15 - 2 * 86_400_000) return undefined;
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: name, hourCycle: 'h23', era: 'short', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  const offsetAt = (utcMs: number): number => {
    const parts = Object.fromEntries(fmt.formatToParts(new Date(utcMs)).map((p) => [p.type, p.value]));
    const year = parts.era === 'BC' || parts.era === 'B' ? 1 - Number(parts.year) : Number(parts.year);
    const wall = new Date(0);
    wall.setUTCFullYear(year, Number(parts.month) - 1, Number(parts.day));
    wall.setUTCHours(Number(parts.hour), Number(parts.minute), Number(parts.second), 0);
    return Math.round((wall.getTime() - Math.floor(utcMs / 1000) * 1000) / 1000);
  };
  // The offsets in force a day and a half either side; a wall time valid under exactly one
  // of them takes it. In a fall-back overlap (both valid) PostgreSQL prefers the later
  // offset; in a spring-forward gap (neither valid) the earlier one.
  const before = offsetAt(localMs - 129_600_000);
  const after = offsetAt(localMs + 129_600_000);
  const valid = (o: number) => offsetAt(localMs - o * 1000) === o;
  if (valid(after)) return after;
  if (valid(before)) return before;
  return before;
}
