/**
 * @module The engine's value layer: conversions between the tunnel's SqlValue, PostgreSQL text
 * input/output and the SQLite storage form, for every supported type. Pure: no platform
 * imports. Storage forms are tabled in storage.ts.
 */
export { parseText, formatText, coerceValue, isSupportedType } from './text-io.ts';
export { toStorage, fromStorage, sqliteAffinity, sqliteTypeAffinity, needsIntegerCast } from './storage.ts';
export type { StorageBinding, StorageValue, SqliteAffinity } from './storage.ts';
export { castValue } from './cast.ts';
export { typeName } from './type-names.ts';
export { isPgError, isValue } from '../errors.ts';
