/**
 * @module PostgreSQL errors as values. Each constructor reads like the condition and fixes its
 * SQLSTATE and message the way PostgreSQL 15 words them, so callers never pick codes by hand
 * and nothing downstream recovers a code from message text.
 */
import type { PgError, SqlValue } from '../../tunnel/types.ts';

/** True when `v` is a PgError rather than a value (SqlValue has no plain-object member). */
export function isPgError(v: unknown): v is PgError {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && 'sqlstate' in v;
}

/** Narrowing helper for `SqlValue | PgError` results. */
export function isValue(v: SqlValue | PgError): v is SqlValue {
  return !isPgError(v);
}

function err(sqlstate: string, message: string, extra: Partial<PgError> = {}): PgError {
  return { severity: 'ERROR', sqlstate, message, ...extra };
}

/** 22P02: `invalid input syntax for type integer: "abc"`. */
export function invalidTextRepresentation(typeName: string, text: string, detail?: string): PgError {
  return err('22P02', `invalid input syntax for type ${typeName}: "${text}"`, detail === undefined ? {} : { detail });
}

/** 22P02 with a message PostgreSQL words without the input (bytea's escape format). */
export function invalidSyntax(message: string, detail?: string): PgError {
  return err('22P02', message, detail === undefined ? {} : { detail });
}

/** 22P02: `malformed array literal: "{1,2"` with PostgreSQL's detail. */
export function malformedArrayLiteral(text: string, detail: string): PgError {
  return err('22P02', `malformed array literal: "${text}"`, { detail });
}

/** 22003: `value "99999999999" is out of range for type integer` (text input). */
export function valueOutOfRange(typeName: string, text: string): PgError {
  return err('22003', `value "${text}" is out of range for type ${typeName}`);
}

/** 22003: `"1e400" is out of range for type double precision` (float input words it so). */
export function floatOutOfRange(typeName: string, text: string): PgError {
  return err('22003', `"${text}" is out of range for type ${typeName}`);
}

/** 22003: `integer out of range`, `bigint out of range` (casts and arithmetic). */
export function numericOutOfRange(typeName: string): PgError {
  return err('22003', `${typeName} out of range`);
}

/** 22003: numeric's own overflow wording. */
export function numericFieldOverflow(message: string, detail?: string): PgError {
  return err('22003', message, detail === undefined ? {} : { detail });
}

/** 22023: invalid_parameter_value (bytea hex digits). */
export function invalidParameterValue(message: string): PgError {
  return err('22023', message);
}

/** 22021: NUL or an unpaired surrogate in text. */
export function invalidByteSequence(bytesHex: string): PgError {
  return err('22021', `invalid byte sequence for encoding "UTF8": ${bytesHex}`);
}

/** 22007: `invalid input syntax for type date: "x"`. */
export function invalidDatetimeFormat(typeName: string, text: string): PgError {
  return err('22007', `invalid input syntax for type ${typeName}: "${text}"`);
}

/** 22008: `date/time field value out of range: "2024-02-30"`. */
export function datetimeFieldOverflow(text: string): PgError {
  return err('22008', `date/time field value out of range: "${text}"`);
}

/** 22008: `timestamp out of range: "..."`, `date out of range: "..."`. */
export function datetimeOutOfRange(what: string, text?: string): PgError {
  return err('22008', text === undefined ? `${what} out of range` : `${what} out of range: "${text}"`);
}

/** 22P05: jsonb cannot hold `\u0000`. */
export function untranslatableCharacter(message: string, detail?: string): PgError {
  return err('22P05', message, detail === undefined ? {} : { detail });
}

/** 0A000: a construct or value the engine does not support, named. */
export function featureNotSupported(what: string): PgError {
  return err('0A000', `${what} is not supported`);
}

/** 42846: `cannot cast type integer to bytea`. */
export function cannotCoerce(fromType: string, toType: string): PgError {
  return err('42846', `cannot cast type ${fromType} to ${toType}`);
}

/** 23505: Convex reads no SQLSTATE, only that the message names the constraint. */
export function uniqueViolation(constraint: string, detail?: string, table?: string): PgError {
  return err('23505', `duplicate key value violates unique constraint "${constraint}"`, {
    constraint,
    ...(detail === undefined ? {} : { detail }),
    ...(table === undefined ? {} : { table }),
  });
}

/** 23502: `null value in column "x" of relation "t" violates not-null constraint`. */
export function notNullViolation(column: string, table: string): PgError {
  return err('23502', `null value in column "${column}" of relation "${table}" violates not-null constraint`, { column, table });
}

/** 22001: `value too long for type character varying(3)`. */
export function stringDataRightTruncation(typeName: string): PgError {
  return err('22001', `value too long for type ${typeName}`);
}

/** 42601: a syntax error, with its 1-based position. */
export function syntaxError(message: string, position?: number): PgError {
  return err('42601', message, position ? { position } : {});
}

/** 42P01: `relation "x" does not exist`. */
export function undefinedTable(name: string, position?: number): PgError {
  return err('42P01', `relation "${name}" does not exist`, position ? { position } : {});
}

/** 42703: `column "x" does not exist`. */
export function undefinedColumn(name: string, table?: string): PgError {
  return err('42703', table ? `column "${name}" of relation "${table}" does not exist` : `column "${name}" does not exist`);
}

/** 42702: `column reference "x" is ambiguous`. */
export function ambiguousColumn(name: string): PgError {
  return err('42702', `column reference "${name}" is ambiguous`);
}

/** 42883: `function f(…) does not exist`. */
export function undefinedFunction(signature: string): PgError {
  return err('42883', `function ${signature} does not exist`, { hint: 'No function matches the given name and argument types. You might need to add explicit type casts.' });
}

/** 42P07: `relation "t" already exists`. */
export function duplicateTable(name: string): PgError {
  return err('42P07', `relation "${name}" already exists`);
}

/** 42P06: `schema "s" already exists`. */
export function duplicateSchema(name: string): PgError {
  return err('42P06', `schema "${name}" already exists`);
}

/** 3F000: `schema "s" does not exist`. */
export function undefinedSchema(name: string): PgError {
  return err('3F000', `schema "${name}" does not exist`);
}

/** 42701: `column "a" specified more than once`. */
export function duplicateColumn(name: string): PgError {
  return err('42701', `column "${name}" specified more than once`);
}

/** 42P16: `multiple primary keys for table "t" are not allowed`. */
export function invalidTableDefinition(message: string): PgError {
  return err('42P16', message);
}

/** 42P18: `could not determine data type of parameter $1`. */
export function indeterminateDatatype(n: number): PgError {
  return err('42P18', `could not determine data type of parameter $${n}`);
}

/** 2BP01: dropping something others depend on. */
export function dependentObjectsStillExist(message: string): PgError {
  return err('2BP01', message);
}

/** 54000: a value or statement beyond what the storage accepts. */
export function programLimitExceeded(message: string): PgError {
  return err('54000', message);
}

/** 25P01 (WARNING): COMMIT/ROLLBACK with no transaction open. */
export function noActiveTransaction(): PgError {
  return { severity: 'WARNING', sqlstate: '25P01', message: 'there is no transaction in progress' };
}
