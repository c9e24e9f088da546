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

/**
 * 23502: `null value in column "x" of relation "t" violates not-null constraint`; PostgreSQL's
 * detail is `Failing row contains (1, null).`
 */
export function notNullViolation(column: string, table: string, detail?: string): PgError {
  return err('23502', `null value in column "${column}" of relation "${table}" violates not-null constraint`, {
    column,
    table,
    ...(detail === undefined ? {} : { detail }),
  });
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

/** 42701: `column "a" specified more than once`, or `column "a" appears twice in unique constraint`. */
export function duplicateColumn(name: string, inConstraint?: string): PgError {
  return err('42701', inConstraint ? `column "${name}" appears twice in ${inConstraint}` : `column "${name}" specified more than once`);
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
/** 25006: a write inside a READ ONLY transaction. */
export function readOnlyTransaction(command: string): PgError {
  return { sqlstate: '25006', message: `cannot execute ${command} in a read-only transaction` };
}

/** 25P02: every statement of a failed transaction until ROLLBACK. */
export function inFailedTransaction(): PgError {
  return { sqlstate: '25P02', message: 'current transaction is aborted, commands ignored until end of transaction block' };
}

export function noActiveTransaction(): PgError {
  return { severity: 'WARNING', sqlstate: '25P01', message: 'there is no transaction in progress' };
}

/** 42601 at a token: `syntax error at or near "x"`, or `syntax error at end of input`. */
export function syntaxErrorAt(token: string | undefined, position: number): PgError {
  return syntaxError(token === undefined ? 'syntax error at end of input' : `syntax error at or near "${token}"`, position);
}

/** 22012: `division by zero`. */
export function divisionByZero(): PgError {
  return err('22012', 'division by zero');
}

/** 42804: `argument of WHERE must be type boolean, not type integer` and other type clashes. */
export function datatypeMismatch(message: string, hint?: string): PgError {
  return err('42804', message, hint === undefined ? {} : { hint });
}

/** 42803: `column "t.x" must appear in the GROUP BY clause or be used in an aggregate function`. */
export function groupingError(message: string, position?: number): PgError {
  return err('42803', message, position ? { position } : {});
}

/** 42704: `type "x" does not exist`. */
export function undefinedType(name: string, position?: number): PgError {
  return err('42704', `type "${name}" does not exist`, position ? { position } : {});
}

/** 42704: `constraint "c" for table "t" does not exist`, `index "i" does not exist`… */
export function undefinedObject(message: string): PgError {
  return err('42704', message);
}

/** 42704: `unrecognized configuration parameter "x"`. */
export function unrecognizedParameter(name: string): PgError {
  return err('42704', `unrecognized configuration parameter "${name}"`);
}

/** 42P02: `there is no parameter $3`. */
export function undefinedParameter(n: number, position?: number): PgError {
  return err('42P02', `there is no parameter $${n}`, position ? { position } : {});
}

/** 42P10: `ORDER BY position 3 is not in select list`, ON CONFLICT without a matching index… */
export function invalidColumnReference(message: string): PgError {
  return err('42P10', message);
}

/** 42883: `operator does not exist: integer + text`, with PostgreSQL's hint. */
export function undefinedOperator(left: string, op: string, right: string): PgError {
  return err('42883', `operator does not exist: ${left} ${op} ${right}`, {
    hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
  });
}

/** 42809: `"x" is not a table`, `"x" is not an index`… */
export function wrongObjectType(message: string): PgError {
  return err('42809', message);
}

/** 42710: `constraint "c" for relation "t" already exists` and other duplicate objects. */
export function duplicateObject(message: string): PgError {
  return err('42710', message);
}

/** 21000: `more than one row returned by a subquery used as an expression`, ON CONFLICT twice… */
export function cardinalityViolation(message: string): PgError {
  return err('21000', message);
}

/** 23503: `insert or update on table "t" violates foreign key constraint "c"`. */
export function foreignKeyViolation(table: string, constraint: string, detail?: string): PgError {
  return err('23503', `insert or update on table "${table}" violates foreign key constraint "${constraint}"`, {
    table,
    constraint,
    ...(detail === undefined ? {} : { detail }),
  });
}

/** 23514: `new row for relation "t" violates check constraint "c"`. */
export function checkViolation(table: string, constraint: string, detail?: string): PgError {
  return err('23514', `new row for relation "${table}" violates check constraint "${constraint}"`, {
    table,
    constraint,
    ...(detail === undefined ? {} : { detail }),
  });
}

/** 25P02: every statement after an error, until ROLLBACK. */
export function inFailedSqlTransaction(): PgError {
  return err('25P02', 'current transaction is aborted, commands ignored until end of transaction block');
}

/** 25001 (WARNING): BEGIN inside a transaction. */
export function activeSqlTransaction(): PgError {
  return { severity: 'WARNING', sqlstate: '25001', message: 'there is already a transaction in progress' };
}

/** 25006: `cannot execute INSERT in a read-only transaction`. */
export function readOnlySqlTransaction(command: string): PgError {
  return err('25006', `cannot execute ${command} in a read-only transaction`);
}

/** 25P03 (FATAL): the session sat idle inside a transaction too long. */
export function idleInTransactionTimeout(): PgError {
  return { severity: 'FATAL', sqlstate: '25P03', message: 'terminating connection due to idle-in-transaction timeout' };
}

/** 40001: first committer wins; the loser of a write-write conflict fails. */
export function serializationFailure(message = 'could not serialize access due to concurrent update'): PgError {
  return err('40001', message);
}

/** 55P03: a row lock was not granted within lock_timeout. */
export function lockNotAvailable(): PgError {
  return err('55P03', 'canceling statement due to lock timeout');
}

/** 57014: CancelRequest (or statement_timeout, with its own wording). */
export function queryCanceled(message = 'canceling statement due to user request'): PgError {
  return err('57014', message);
}

/** 53100: writes refused before the Durable Object's storage cap. */
export function diskFull(message: string): PgError {
  return err('53100', message);
}

/** 08P01: a malformed or inconsistent protocol request. */
export function protocolViolation(message: string): PgError {
  return err('08P01', message);
}

/** 26000: `prepared statement "s" does not exist`. */
export function undefinedPreparedStatement(name: string): PgError {
  return err('26000', `prepared statement "${name}" does not exist`);
}

/** 42P05: `prepared statement "s" already exists`. */
export function duplicatePreparedStatement(name: string): PgError {
  return err('42P05', `prepared statement "${name}" already exists`);
}

/** XX000: a bug or an unexpected storage failure; the message says which. */
export function internalError(message: string): PgError {
  return err('XX000', message);
}
