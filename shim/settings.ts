/** @module The server settings the shim reports at startup and answers SHOW for, without a round trip. */

/** Fixed for every session (the engine refuses SET to other values). */
const fixed: Record<string, string> = {
  server_version: '15.8',
  server_version_num: '150008',
  server_encoding: 'UTF8',
  client_encoding: 'UTF8',
  datestyle: 'ISO, MDY',
  timezone: 'UTC',
  integer_datetimes: 'on',
  standard_conforming_strings: 'on',
  intervalstyle: 'postgres',
  default_transaction_read_only: 'off',
  in_hot_standby: 'off',
  max_identifier_length: '63',
  is_superuser: 'off',
};

/** The value of a fixed setting, or undefined for anything session-dependent. */
export function staticSetting(name: string): string | undefined {
  return fixed[name.toLowerCase()];
}

/** ParameterStatus messages sent after authentication, names as PostgreSQL spells them. */
export function startupParameters(user: string, applicationName: string): [string, string][] {
  return [
    ['server_version', fixed.server_version],
    ['server_encoding', 'UTF8'],
    ['client_encoding', 'UTF8'],
    ['DateStyle', fixed.datestyle],
    ['TimeZone', 'UTC'],
    ['integer_datetimes', 'on'],
    ['standard_conforming_strings', 'on'],
    ['IntervalStyle', 'postgres'],
    ['is_superuser', 'off'],
    ['session_authorization', user],
    ['application_name', applicationName],
    ['default_transaction_read_only', 'off'],
    ['in_hot_standby', 'off'],
  ];
}
