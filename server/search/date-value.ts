// A FHIR date or dateTime search value as the instant range its precision covers: '2024' is all of
// 2024, '2024-03-05T10:00' one minute. A value without a time zone is read as UTC.
// https://hl7.org/fhir/R4/search.html#date
import { badRequest } from '../outcomes';
import type { RangeCondition } from './plan';
import { splitPrefix } from './values/prefix';

const datePattern =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

export interface InstantRange {
  /** Inclusive, ms since epoch. */
  low: number;
  /** Exclusive, ms since epoch. */
  high: number;
}

export function parseDateRange(value: string, parameter: string): InstantRange {
  const m = datePattern.exec(value);
  if (!m) {
    throw badRequest(`${parameter}: '${value}' is not a FHIR date or dateTime (e.g. 2024-03-05 or 2024-03-05T10:00:00+08:00)`, parameter);
  }
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = mo ? Number(mo) - 1 : 0;
  const day = d ? Number(d) : 1;
  const hour = h ? Number(h) : 0;
  const minute = mi ? Number(mi) : 0;
  const second = s ? Number(s) : 0;
  const ms = frac ? Number(frac.padEnd(3, '0').slice(0, 3)) : 0;
  if (month > 11 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    throw badRequest(`${parameter}: '${value}' is not a real date or time`, parameter);
  }
  const offsetMs = zoneOffsetMs(zone);
  const low = Date.UTC(year, month, day, hour, minute, second, ms) - offsetMs;
  let high: number;
  if (!mo) {
    high = Date.UTC(year + 1, 0, 1) - offsetMs;
  } else if (!d) {
    high = Date.UTC(year, month + 1, 1) - offsetMs;
  } else if (!h) {
    high = Date.UTC(year, month, day + 1) - offsetMs;
  } else if (!s) {
    high = low + 60_000;
  } else if (!frac) {
    high = low + 1000;
  } else {
    high = low + 1;
  }
  return { low, high };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

function zoneOffsetMs(zone: string | undefined): number {
  if (!zone || zone === 'Z') {
    return 0;
  }
  const sign = zone.startsWith('-') ? -1 : 1;
  const [hours, minutes] = zone.slice(1).split(':').map(Number);
  return sign * (hours * 60 + minutes) * 60_000;
}

/** A date search value with its optional prefix: 'ge2024-03' as { prefix: 'ge', low, high }. */
export function parseDateCondition(value: string, parameter: string): RangeCondition {
  const { prefix, rest } = splitPrefix(value);
  return { prefix, ...parseDateRange(rest, parameter) };
}
