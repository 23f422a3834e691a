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
const entries: readonly string[] = [
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
