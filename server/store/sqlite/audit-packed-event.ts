// An AuditEvent's stored (packed) text built where the event is built, from its constant parts packed
// once and its values spliced in, so that the audit writer neither scans nor packs it (docs/performance.md,
// "Packed where it is built"). The result is exactly packAuditText of the whole stored text: constant
// stretches are packed by the same scan (packedStretch, cached), a value goes in as it is only when it is
// plain (no entry lies inside it), and a border where an entry could run from a stretch into a value or
// from a value into a stretch is resolved by moving the entry's part from the value into the stretch, or
// else by packing value and stretches together. A property test stores both ways and compares
// (test/audit/prepared-events.test.ts).
import type { AuditEvent } from '@medplum/fhirtypes';
import { packedStretch, plainValue } from './audit-packed-text';

/**
 * The event's JSON text (as JSON.stringify writes it) and its stored text packed, split where
 * `meta.lastUpdated`'s instant goes (known only to the writer).
 */
export interface PackedEventText {
  json: string;
  head: string;
  tail: string;
}

/**
 * Members whose text varies from event to event (ids, times, references, accounts, addresses, queries):
 * spliced in. Every other string is part of a constant stretch, packed once per distinct stretch: codes and
 * displays, the server's address, a client application's id (a few per network).
 */
const valueKeys = new Set(['id', 'recorded', 'outcomeDesc', 'reference', 'altId', 'address', 'query', 'valueString']);
/** Where the writer's instant goes; the parts hold it as this mark (never a value: values are plain). */
const instantMark = '\u0000';
/** What an instant holds (Date.toISOString), and a beginning or end of an entry made of it alone. */
const instantStart = /^[0-9]/;
const instantOnly = /^[0-9TZ:.-]+$/;
const plainKey = /^[A-Za-z]+$/;

/** The text as stretches of constant text (even places) and plain values (odd places). */
class Parts {
  readonly list: string[] = [];
  stretch = '';

  value(text: string): void {
    this.list.push(this.stretch, text);
    this.stretch = '';
  }

  /** A JSON value as JSON.stringify writes it; false for one it does not write as plain data. */
  write(value: unknown, key: string): boolean {
    if (typeof value === 'string') {
      const plain = plainValue.test(value);
      if (plain && valueKeys.has(key)) {
        this.stretch += '"';
        this.value(value);
        this.stretch += '"';
      } else {
        this.stretch += plain ? `"${value}"` : JSON.stringify(value);
      }
      return true;
    }
    if (typeof value === 'boolean') {
      this.stretch += value ? 'true' : 'false';
      return true;
    }
    if (Array.isArray(value)) {
      this.stretch += '[';
      for (let i = 0; i < value.length; i++) {
        if (i) this.stretch += ',';
        if (!this.write(value[i], key)) return false;
      }
      this.stretch += ']';
      return true;
    }
    if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
      return this.members(value as Record<string, unknown>, true);
    }
    // Numbers, null, and anything JSON.stringify treats specially: not in this server's events.
    return false;
  }

  members(object: Record<string, unknown>, open: boolean, skip = 0): boolean {
    if (open) this.stretch += '{';
    let first = open;
    const keys = Object.keys(object);
    for (let i = skip; i < keys.length; i++) {
      const member = object[keys[i]];
      if (member === undefined) continue;
      this.stretch += `${first ? '' : ','}${plainKey.test(keys[i]) ? `"${keys[i]}"` : JSON.stringify(keys[i])}:`;
      first = false;
      if (!this.write(member, keys[i])) return false;
    }
    this.stretch += '}';
    return true;
  }
}

/**
 * The stored text of an event as the writer stores it (its id second, `meta` put in after it), packed;
 * undefined for an event of another shape (a meta of its own, the id elsewhere, numbers), which the
 * writer packs as before.
 */
export function packedEventText(event: AuditEvent): PackedEventText | undefined {
  const keys = Object.keys(event);
  if (keys[0] !== 'resourceType' || keys[1] !== 'id' || event.resourceType !== 'AuditEvent' || event.meta !== undefined || typeof event.id !== 'string' || !plainValue.test(event.id)) {
    return undefined;
  }
  const parts = new Parts();
  parts.stretch = '{"resourceType":"AuditEvent","id":"';
  parts.value(event.id);
  parts.stretch = '","meta":{"versionId":"1","lastUpdated":"';
  parts.value(instantMark);
  parts.stretch = '"}';
  if (!parts.members(event as unknown as Record<string, unknown>, false, 2)) {
    return undefined;
  }
  parts.list.push(parts.stretch);
  const packed = joined(parts.list);
  // The JSON text without meta: the head, then what follows the instant's `"}`.
  return packed && { json: `{"resourceType":"AuditEvent","id":"${event.id}",${parts.list.slice(4).join('').slice(3)}`, ...packed };
}

/** The packed text of the parts, as packing their whole text would write it (the file's header). */
function joined(list: string[]): Omit<PackedEventText, 'json'> | undefined {
  let out = '';
  let head: string | undefined;
  let before = list[0];
  for (let i = 1; i < list.length; i += 2) {
    let value = list[i];
    let after = list[i + 1];
    if (value === instantMark) {
      // Any instant: no entry may run into or out of it.
      if (packedStretch(before).open.some((rest) => instantStart.test(rest)) || packedStretch(after).pre.some((start) => instantOnly.test(start))) {
        return undefined;
      }
      head = out + packedStretch(before).packed;
      out = '';
      before = after;
      continue;
    }
    for (;;) {
      const next = value + after;
      const into = packedStretch(before).open.find((rest) => (next.length >= rest.length ? next.startsWith(rest) : rest.startsWith(next)));
      if (into !== undefined && value.startsWith(into)) {
        // The entry ends inside the value: its part goes with the stretch before (`"who":{"reference":"PractitionerRole/`).
        before += into;
        value = value.slice(into.length);
        continue;
      }
      const outOf = into === undefined ? packedStretch(after).pre.find((start) => (value.length >= start.length ? value.endsWith(start) : start.endsWith(value))) : undefined;
      if (outOf !== undefined && value.length >= outOf.length) {
        after = outOf + after;
        value = value.slice(0, -outOf.length);
        continue;
      }
      if (into !== undefined || outOf !== undefined) {
        // Across the whole value: packed with both stretches.
        before += next;
        value = '';
        after = '';
      }
      break;
    }
    if (value === '' && after === '') {
      continue;
    }
    out += packedStretch(before).packed + value;
    before = after;
  }
  return head === undefined ? undefined : { head, tail: out + packedStretch(before).packed };
}
