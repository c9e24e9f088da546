/**
 * @module PostgreSQL's own spelling of the settings that have capitals: SHOW names its result
 * column this way whatever case the client used (`SHOW timezone` → column `TimeZone`). Shared by
 * the shim (SHOW of fixed settings answered locally) and the engine.
 */
const spelled: Record<string, string> = { datestyle: 'DateStyle', intervalstyle: 'IntervalStyle', timezone: 'TimeZone' };

/** The column name PostgreSQL gives `SHOW name`. */
export function showColumnName(name: string): string {
  const lower = name.toLowerCase();
  return spelled[lower] ?? lower;
}
