// An AuditEvent's text and its stored (packed) form written from a template instead of JSON.stringify on
// the server's thread and packAuditText's scan on the audit writer's (docs/performance.md, "Written from
// templates"). A template is the event's JSON text with its values (times, references, names, addresses)
// taken out, chosen by a small key (the interaction, the outcome, the caller's shape, the entities'); it is
// made once per key from an event built by the very function that builds the real ones, with markers
// for values, so that its members and their order are JSON.stringify's. Its constant stretches are packed
// once, and each border between a stretch and a value analysed once (audit-packed-text.ts,
// packedTemplate); a value that could change how a border packs, or that JSON.stringify would escape,
// sends the event the usual way.
import type { AuditEvent } from '@medplum/fhirtypes';
import { packedLineForm, packedTemplate, spliceable, type PackedTemplate } from '../store/sqlite/audit-packed-text';

/** A value's place in a template's text: U+E000 (private use: never in a constant part, checked) and the value's number. */
const marker = '\ue000';
const markerOf = (slot: number): string => `${marker}${String.fromCharCode(0x41 + slot)}`;
const markers = /\ue000([A-Z])/;
/** The id the template's event is built with: the template starts after the id (the writer puts meta there). */
const templateId = 'x';

export interface Template extends PackedTemplate {
  stretches: readonly string[];
  /** The value that goes after each stretch but the last (a value may be used twice: a client's id). */
  slots: readonly number[];
}

const templates = new Map<string, Template | null>();
const templateLimit = 1000;

/** A template and the values an event's text splices into it. */
export interface TemplateFilling {
  template: Template;
  values: readonly (string | undefined)[];
}

/** The fillings of events built by restEvents, for their lines (prepared-event.ts). */
const fillings = new WeakMap<AuditEvent, TemplateFilling>();

/**
 * Gives `event` its text from the template of `key` (made from `markerEvent` the first time) with
 * `values` spliced in, where every value may be: the audit writer's line then carries it (prepared-event.ts).
 * `key` must name everything but the values that the event's text depends on. The event must not be
 * changed afterwards (restEvents' events never are; a copy with meta is another object).
 */
export function rememberTemplateText(event: AuditEvent, key: string, values: readonly (string | undefined)[], markerEvent: (value: (slot: number) => string) => AuditEvent): void {
  let template = templates.get(key);
  if (template === undefined) {
    template = compile(markerEvent(markerOf), values.length);
    if (templates.size >= templateLimit) templates.clear();
    templates.set(key, template);
  }
  if (template === null) {
    return;
  }
  const { slots } = template;
  for (let i = 0; i < slots.length; i++) {
    const value = values[slots[i]];
    if (value === undefined || !spliceable(template, i, value)) {
      return;
    }
  }
  fillings.set(event, { template, values });
}

/** The filling of an event given its text from a template, if it was. */
export function templateFilling(event: AuditEvent): TemplateFilling | undefined {
  return fillings.get(event);
}

/**
 * Adds the event's text after the head (`packed`: its packed form, in the line form) to `parts`, piece by piece: one join
 * of a line's pieces makes one flat string, where appending them one by one makes a string of as many
 * links, each garbage once the line is sent.
 */
export function pushFilled(parts: string[], { template, values }: TemplateFilling, packed: boolean): void {
  const stretches = packed ? template.packed : template.stretches;
  const { slots } = template;
  parts.push(stretches[0]);
  for (let i = 0; i < slots.length; i++) {
    parts.push(values[slots[i]] as string, stretches[i + 1]);
  }
}

/**
 * `text` as a string of one byte a character where it is Latin-1: V8 keeps a slice of a string of two
 * (the markers') in two, and a line joined from one such piece is all in two: twice the bytes to join,
 * copy to the writer's thread and read there.
 */
export function oneByte(text: string): string {
  return /^[\u0000-\u00ff]*$/.test(text) ? Buffer.from(text, 'latin1').toString('latin1') : text;
}

/** The template of an event built with markers for its values; null when its text has no usable shape. */
function compile(event: AuditEvent, valueCount: number): Template | null {
  const head = `${JSON.stringify({ resourceType: 'AuditEvent', id: templateId }).slice(0, -1)},`;
  const text = JSON.stringify({ ...event, id: templateId });
  // The writer packs what comes before the tail on its own: the tail must start where no entry of the
  // table runs across from meta's end (`"},` then `"type":`; audit-event-table.ts, packedContent).
  if (!text.startsWith(`${head}"type":`)) {
    return null;
  }
  const parts = text.slice(head.length).split(markers);
  const stretches = parts.filter((_, i) => i % 2 === 0).map(oneByte);
  const slots = parts.filter((_, i) => i % 2 === 1).map((letter) => letter.charCodeAt(0) - 0x41);
  if (stretches.some((stretch) => stretch.includes(marker)) || slots.some((slot) => slot >= valueCount)) {
    return null;
  }
  const packed = packedTemplate(stretches);
  // The line carries the packed text in its line form (one byte a character where the text is Latin-1).
  return { stretches, slots, ...packed, packed: packed.packed.map((stretch) => oneByte(packedLineForm(stretch))) };
}
