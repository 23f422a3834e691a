// Date index values as half-open instant ranges [low, high) in ms: a date, dateTime or instant covers what its
// precision implies ('2024' the whole year, a dateTime to the second 1 s, an instant with ms 1 ms; no zone
// means UTC); a Period spans start..end, an open end reaching the far past or future; a Timing spans its
// events and repeat.boundsPeriod. https://hl7.org/fhir/R4/search.html#date
import type { TypedValue } from '@medplum/core';
import type { Period, Timing } from '@medplum/fhirtypes';
import { parseDateRange } from '../date-value';
import type { DateValue } from './types';

/** The earliest and latest instants JavaScript dates represent: the open ends of a Period. */
export const farPast = -8.64e15;
export const farFuture = 8.64e15;

export function addDateValues(values: TypedValue[], out: DateValue[]): void {
  for (const { type, value } of values) {
    if (typeof value === 'string') {
      const range = dateRange(value);
      if (range) {
        out.push(range);
      }
    } else if (typeof value === 'object' && value !== null) {
      const range = type === 'Timing' || 'event' in value || 'repeat' in value ? timingRange(value) : periodRange(value);
      if (range) {
        out.push(range);
      }
    }
  }
}

/** The range a date, dateTime or instant covers; undefined when it is not one. */
export function dateRange(value: string): DateValue | undefined {
  try {
    return parseDateRange(value, 'date');
  } catch {
    return undefined;
  }
}

function periodRange(period: Period): DateValue | undefined {
  const start = period.start ? dateRange(period.start) : undefined;
  const end = period.end ? dateRange(period.end) : undefined;
  if (!start && !end) {
    return undefined;
  }
  return { low: start ? start.low : farPast, high: end ? end.high : farFuture };
}

function timingRange(timing: Timing): DateValue | undefined {
  let low = Infinity;
  let high = -Infinity;
  const include = (range: DateValue | undefined): void => {
    if (range) {
      low = Math.min(low, range.low);
      high = Math.max(high, range.high);
    }
  };
  for (const event of timing.event ?? []) {
    include(dateRange(event));
  }
  if (timing.repeat?.boundsPeriod) {
    include(periodRange(timing.repeat.boundsPeriod));
  }
  return low < high ? { low, high } : undefined;
}
