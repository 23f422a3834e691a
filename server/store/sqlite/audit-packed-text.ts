// The stored form of an AuditEvent's text columns in audit_events (its JSON, and its token and reference
// entries): the strings this server's events all repeat (BALP's codings with their systems and displays,
// the fixed parts of the agents and the source, the entries' systems) are each replaced by a code of two
// characters, so that a row takes about 1 KB instead of 2.8 and four fit a 4 KB page instead of one: the
// audit writer's commit writes a quarter of the pages (docs/performance.md, "Auditing on and off").
// JSON text never holds a raw control character (https://tc39.es/ecma262/#sec-quotejsonstring writes
// U+0000 to U+001F as escapes, and SQLite's JSON functions do too), so U+0001 followed by one character
// is free to mean "entry n of the table below"; a text without U+0001 (every row written before) is its
// own stored form. Rows are read through the SQL function `audit_text`, registered on every connection
// (registerAuditText): the hashes, the archive and every reader see the JSON text, never the codes.
import type { DatabaseSync, SQLInputValue, SQLOutputValue } from 'node:sqlite';

/**
 * The table. A code once written means its string for ever: entries are only ever added at the end
 * (at most 256), never changed, removed or reordered; a test pins the first ones.
 */
export const auditPackingTable: readonly string[] = [
  // 0-15: the codings of every REST event (events-rest.ts).
  '{"system":"http://terminology.hl7.org/CodeSystem/audit-event-type","code":"rest","display":"Restful Operation"}',
  ...['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'history-system', 'create', 'search-type', 'search-system', 'search', 'batch', 'transaction', 'operation'].map(
    (code) => `{"system":"http://hl7.org/fhir/restful-interaction","code":"${code}","display":"${code}"}`
  ),
  // 16-28: the agents', source's and entities' codings (events-shared.ts, events-rest.ts, events-auth.ts).
  '{"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"IRCP","display":"information recipient"}',
  '{"system":"http://dicom.nema.org/resources/ontology/DCM","code":"110153","display":"Source Role ID"}',
  '{"system":"http://dicom.nema.org/resources/ontology/DCM","code":"110152","display":"Destination Role ID"}',
  '{"system":"http://dicom.nema.org/resources/ontology/DCM","code":"110114","display":"User Authentication"}',
  '{"system":"http://dicom.nema.org/resources/ontology/DCM","code":"110122","display":"Login"}',
  '{"system":"http://terminology.hl7.org/CodeSystem/security-source-type","code":"4","display":"Application Server"}',
  '{"system":"http://terminology.hl7.org/CodeSystem/audit-entity-type","code":"1","display":"Person"}',
  '{"system":"http://terminology.hl7.org/CodeSystem/audit-entity-type","code":"2","display":"System Object"}',
  '{"system":"http://terminology.hl7.org/CodeSystem/object-role","code":"1","display":"Patient"}',
  '{"system":"http://terminology.hl7.org/CodeSystem/object-role","code":"4","display":"Domain Resource"}',
  '{"system":"http://terminology.hl7.org/CodeSystem/object-role","code":"24","display":"Query"}',
  '{"system":"http://hl7.org/fhir/restful-interaction","code":"capabilities","display":"capabilities"}',
  '"type":{"coding":[',
  // 29-52: the fixed parts of the event around its ids, times, references and addresses.
  '{"resourceType":"AuditEvent","id":"',
  '","meta":{"versionId":"1","lastUpdated":"',
  '"who":{"identifier":{"system":"urn:ietf:rfc:3986","value":"',
  '"},"display":"FHIR server"},"requestor":false}',
  '"source":{"site":"',
  '","observer":{"identifier":{"system":"urn:ietf:rfc:3986","value":"',
  '"},"display":"FHIR server"},"type":[',
  '"requestor":true',
  '"requestor":false',
  ',"network":{"address":"',
  '","type":"2"}',
  '/auth/clients","value":"',
  '"who":{"identifier":{"system":"',
  '"who":{"reference":"',
  '{"what":{"reference":"',
  '"role":',
  '"subtype":[',
  '"recorded":"',
  '"outcome":"0","agent":[',
  '"action":"R",',
  '"action":"E",',
  '"entity":[',
  '"altId":"',
  '"who":{"reference":"PractitionerRole/',
  // 53-63: the token and reference entries (audit-event-table.ts): systems, codes and empty cells.
  '"http://hl7.org/fhir/restful-interaction","',
  '"http://terminology.hl7.org/CodeSystem/audit-event-type","rest","restful operation"]',
  '"http://dicom.nema.org/resources/ontology/DCM","',
  'null,null,null,null,"urn:ietf:rfc:3986","',
  ',null,null,null,null,"',
  'null,null,null,null]',
  'null,null,null]',
  ',null,"R",null],',
  ',null,"0",null],',
  '"PractitionerRole","',
  '"Patient","',
];
const entries = auditPackingTable;

const codeStart = 0x100;
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/**
 * Each entry's code, by the entry's length first (at most four entries share one): a Map keyed by the
 * matched text hashed each of an event's ~22 matches, which cost more than the scan itself (4.4 against
 * 2.5 µs for a 1.2 KB text).
 */
const codesByLength = new Map<number, [string, string][]>();
entries.forEach((entry, i) => {
  const sameLength = codesByLength.get(entry.length) ?? [];
  sameLength.push([entry, `\u0001${String.fromCharCode(codeStart + i)}`]);
  codesByLength.set(entry.length, sameLength);
});
const codeOf = (entry: string): string => {
  const candidates = codesByLength.get(entry.length) as [string, string][];
  return candidates.length === 1 ? candidates[0][1] : (candidates.find(([text]) => text === entry) as [string, string])[1];
};
/** One pass over the text, the longest entry first where several start at one place. */
const known = new RegExp([...entries].sort((a, b) => b.length - a.length).map(escape).join('|'), 'g');
const coded = /\u0001([\u0100-\u01ff])/g;

/**
 * What a value spliced between a template's packed stretches may hold (server/audit/event-text.ts): no
 * quote, backslash, control character or surrogate, so that JSON.stringify writes it as it is; no comma
 * and no quote, so that no entry of the table lies inside it (every entry holds one: checked below); not
 * empty, so that two stretches never touch; and not U+E000, a template's own marker.
 */
export const spliceableValue = /^[^"\\,\u0000-\u001f\ud800-\udfff\ue000]+$/;
if (entries.some((entry) => !entry.includes('"') && !entry.includes(','))) {
  throw new Error('an entry of the packed text table holds neither a quote nor a comma: values could no longer be spliced');
}

/**
 * A text made of constant stretches with values between them (stretch 0, value 0, stretch 1, ...),
 * packed stretch by stretch: the packing of the whole text, as packAuditText's one scan writes it, is the
 * stretches' packings with the values between them unchanged, as long as no entry the scan matches runs
 * across a border between a stretch and a value. No entry lies inside a value (each holds a quote or a
 * comma, which a spliceableValue does not). For each value, the borders are analysed once per template:
 * - into the value: an entry that starts in the stretch before it, at a place where the scan of the
 *   stretch may start a match, and runs on past the stretch's end. The part beyond (`rest`) matches only
 *   if the value begins with it (`barredPrefixes`: all of rest spliceable), or if the value is a beginning
 *   of it whose remainder the stretch after starts with, or runs on past (`barredValues`, exact).
 * - out of the value: an entry that starts inside the value and runs into the stretch after it: the
 *   value ends with the entry's spliceable beginning, and the stretch starts with the rest or is a
 *   beginning of it (`barredEnds`).
 * An entry from the stretch before that runs across the whole value is of the first kind.
 */
export interface PackedTemplate {
  packed: readonly string[];
  barredPrefixes: readonly (readonly string[])[];
  barredValues: readonly (readonly string[])[];
  barredEnds: readonly (readonly string[])[];
}

const knownAt = new RegExp(known.source, 'y');
const spliceableChars = /^[^"\\,\u0000-\u001f\ud800-\udfff\ue000]*/;

export function packedTemplate(stretches: readonly string[]): PackedTemplate {
  const barredPrefixes: string[][] = [];
  const barredValues: string[][] = [];
  const barredEnds: string[][] = [];
  for (let slot = 0; slot + 1 < stretches.length; slot++) {
    const next = stretches[slot + 1];
    const prefixes: string[] = [];
    const values: string[] = [];
    for (const rest of openRests(stretches[slot])) {
      const plain = (spliceableChars.exec(rest) as RegExpExecArray)[0].length;
      if (plain === rest.length) prefixes.push(rest);
      for (let cut = 1; cut <= plain && cut < rest.length; cut++) {
        const after = rest.slice(cut);
        if (next.startsWith(after) || after.startsWith(next)) values.push(rest.slice(0, cut));
      }
    }
    barredPrefixes.push(prefixes);
    barredValues.push(values);
    barredEnds.push(entryBeginnings(next));
  }
  return { packed: stretches.map(packAuditText), barredPrefixes, barredValues, barredEnds };
}

/** For each place the scan of `text` alone may start a match, the rests of the entries that start there and run past its end. */
function openRests(text: string): string[] {
  const rests: string[] = [];
  for (let at = 0; at < text.length; ) {
    const tail = text.slice(at);
    for (const entry of entries) {
      if (entry.length > tail.length && entry.startsWith(tail)) rests.push(entry.slice(tail.length));
    }
    knownAt.lastIndex = at;
    const match = knownAt.exec(text);
    at += match ? match[0].length : 1;
  }
  return rests;
}

/** The spliceable beginnings of entries whose rest starts `text` (or that `text` starts). */
function entryBeginnings(text: string): string[] {
  const found: string[] = [];
  for (const entry of entries) {
    for (let cut = 1; cut < entry.length; cut++) {
      const [before, rest] = [entry.slice(0, cut), entry.slice(cut)];
      if (spliceableValue.test(before) && (text.startsWith(rest) || rest.startsWith(text))) found.push(before);
    }
  }
  return found;
}

/** Whether `value` may go between stretch `slot` and the next one of `template` (PackedTemplate). */
export function spliceable(template: PackedTemplate, slot: number, value: string): boolean {
  if (!spliceableValue.test(value) || template.barredValues[slot].includes(value)) return false;
  for (const prefix of template.barredPrefixes[slot]) {
    if (value.startsWith(prefix)) return false;
  }
  for (const end of template.barredEnds[slot]) {
    if (value.endsWith(end)) return false;
  }
  return true;
}

/** Whether an entry starting anywhere in `before` could run on into `after` (text that follows it). */
export function runsAcross(before: string, after: string): boolean {
  for (let at = 0; at < before.length; at++) {
    const tail = before.slice(at);
    for (const entry of entries) {
      if (entry.length > tail.length && entry.startsWith(tail)) {
        const rest = entry.slice(tail.length);
        if (after.startsWith(rest) || rest.startsWith(after)) return true;
      }
    }
  }
  return false;
}

/**
 * A packed text as the audit writer's line carries it (server/audit/prepared-event.ts): each code's second
 * character moved from U+0100.. to U+0080.., so that a line of Latin-1 text stays a string of one byte a
 * character, which V8 joins and copies at half the cost of one of two. Never stored: lineStoredForm reads it.
 */
const lineCodeStart = 0x80;
if (entries.length > 0x100 - lineCodeStart) {
  throw new Error('the packed text table outgrew the audit line form: give the line another form of its codes');
}
export function packedLineForm(packed: string): string {
  return packed.replace(coded, (_, code: string) => `\u0001${String.fromCharCode(code.charCodeAt(0) - codeStart + lineCodeStart)}`);
}
const lineCoded = /\u0001([\u0080-\u00ff])/g;
const storedCodes = entries.map((_, i) => `\u0001${String.fromCharCode(codeStart + i)}`);
/** The packed text of a line form (packedLineForm). */
export function lineStoredForm(line: string): string {
  return line.replace(lineCoded, (_, code: string) => storedCodes[code.charCodeAt(0) - lineCodeStart]);
}

/** The stored form of a JSON text (the event's, or its entries' array). */
export function packAuditText(json: string): string {
  if (json.includes('\u0001')) {
    // Impossible for JSON.stringify's output: a text that would not read back as itself is refused.
    throw new Error('an AuditEvent text to store holds a raw U+0001');
  }
  return json.replace(known, codeOf);
}

/** The JSON text of a stored form. */
export function unpackAuditText(stored: string): string {
  return stored.includes('\u0001') ? stored.replace(coded, (_, code: string) => entries[code.charCodeAt(0) - codeStart]) : stored;
}

/** `audit_text(column)`: the JSON text of an audit_events text column, on every connection that reads the table. */
export function registerAuditText(db: DatabaseSync): void {
  db.function('audit_text', { deterministic: true }, (value: SQLOutputValue): SQLInputValue => (typeof value === 'string' ? unpackAuditText(value) : value));
}
