import type { Ajv } from 'ajv';
import { DATE_TIME_PATTERN } from './fragments.ts';

/**
 * The string formats class schemas may use, checked with regular expressions
 * (no ajv-formats dependency). Other formats make a class schema invalid.
 */
export const FORMATS: Readonly<Record<string, RegExp>> = {
  'date-time': new RegExp(DATE_TIME_PATTERN),
  date: /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/,
  time: /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)?$/,
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  hostname: /^(?=.{1,253}$)[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*\.?$/,
  ipv4: /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/,
  ipv6: /^(?=.*:)[0-9A-Fa-f:]+(:(\d{1,3}\.){3}\d{1,3})?$/,
  uri: /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/,
  uuid: /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/,
};

export function addFormats(ajv: Ajv): void {
  for (const [name, regex] of Object.entries(FORMATS)) ajv.addFormat(name, regex);
}
