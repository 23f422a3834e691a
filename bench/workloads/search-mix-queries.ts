// The 30 kinds of query of the EMR search mix (issue 21): token, string, date, reference, quantity,
// composite, chained, _has, _include/_revinclude, sorts and their second pages, counts, _total=accurate
// and the CapabilityStatement. Every value comes from resources read back from the server under test
// (search-mix.ts samples them), never from ids or values written here.
import type { Condition, Encounter, Observation, Patient, Quantity } from '@medplum/fhirtypes';

/** What the mix knows of one loaded patient: the resources read back from the server. */
export interface PatientSample {
  patient: Patient;
  observations: Observation[];
  conditions: Condition[];
  encounters: Encounter[];
}

export interface MixQuery {
  kind: string;
  /** The paths (below the FHIR base) of this kind for one sampled patient; none when it lacks the data. */
  paths(sample: PatientSample): string[];
  /** The mix requests the `next` link of each of these paths' first pages instead (a second page). */
  secondPage?: boolean;
}

const enc = encodeURIComponent;

const ucum = 'http://unitsofmeasure.org';

function codeOf(concept: { coding?: { system?: string; code?: string }[] } | undefined): string | undefined {
  const coding = concept?.coding?.find((c) => c.code);
  return coding?.code ? (coding.system ? `${coding.system}|${coding.code}` : coding.code) : undefined;
}

const day = (date: string | undefined): string | undefined => date?.slice(0, 10);
const year = (date: string | undefined): number | undefined => (date ? Number(date.slice(0, 4)) : undefined);

/** The month of a date as a range: ge<first day>&date=lt<first day of the next month>. */
function monthRange(date: string | undefined): string | undefined {
  if (!date) {
    return undefined;
  }
  const [y, m] = [Number(date.slice(0, 4)), Number(date.slice(5, 7))];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return `date=ge${date.slice(0, 7)}-01&date=lt${next}-01`;
}

function usualName(patient: Patient): { family?: string; given?: string } {
  const name = patient.name?.find((n) => n.use === 'usual') ?? patient.name?.[0];
  return { family: name?.family, given: name?.given?.[0] };
}

function identifierOf(patient: Patient): string | undefined {
  const identifier = patient.identifier?.find((i) => i.system && i.value);
  return identifier && `${identifier.system}|${identifier.value}`;
}

const patientRef = (s: PatientSample): string => `Patient/${s.patient.id}`;
const defined = <T>(values: (T | undefined)[]): T[] => values.filter((v): v is T => v !== undefined);
const quantityObservations = (s: PatientSample): (Observation & { valueQuantity: Quantity })[] =>
  s.observations.filter((o): o is Observation & { valueQuantity: Quantity } => o.valueQuantity?.value !== undefined && !!codeOf(o.code));

/** The systolic component of the sample's blood-pressure panels: [component code, value]. */
function componentQuantities(s: PatientSample): [string, number][] {
  return s.observations.flatMap((o) =>
    (o.component ?? []).flatMap((c) => {
      const code = codeOf(c.code);
      return code && c.valueQuantity?.value !== undefined ? [[code, c.valueQuantity.value] as [string, number]] : [];
    })
  );
}

const observationCodes = (s: PatientSample): string[] => defined(s.observations.map((o) => codeOf(o.code)));

export const mixQueries: MixQuery[] = [
  { kind: 'token: Observation?code', paths: (s) => observationCodes(s).map((c) => `Observation?code=${enc(c)}`) },
  { kind: 'token: Condition?code', paths: (s) => defined(s.conditions.map((c) => codeOf(c.code))).map((c) => `Condition?code=${enc(c)}`) },
  { kind: 'token: Patient?gender', paths: (s) => defined([s.patient.gender]).map((g) => `Patient?gender=${g}`) },
  { kind: 'token: Patient?identifier', paths: (s) => defined([identifierOf(s.patient)]).map((i) => `Patient?identifier=${enc(i)}`) },
  { kind: 'string: Patient?name', paths: (s) => defined([usualName(s.patient).family]).map((f) => `Patient?name=${enc(f)}`) },
  { kind: 'string: Patient?given', paths: (s) => defined([usualName(s.patient).given]).map((g) => `Patient?given=${enc(g)}`) },
  {
    kind: 'date: Observation?date (a day)',
    paths: (s) => defined(s.observations.map((o) => day(o.effectiveDateTime))).map((d) => `Observation?date=${d}`),
  },
  {
    kind: 'date: Encounter?date (a month)',
    paths: (s) => defined(s.encounters.map((e) => monthRange(e.period?.start))).map((range) => `Encounter?${range}`),
  },
  { kind: 'reference: Observation?subject', paths: (s) => [`Observation?subject=${patientRef(s)}`] },
  { kind: 'reference: Encounter?patient', paths: (s) => [`Encounter?patient=${patientRef(s)}`] },
  {
    kind: 'reference + code + date: Observation?patient&code&date',
    paths: (s) =>
      s.observations.flatMap((o) => {
        const [code, y] = [codeOf(o.code), year(o.effectiveDateTime)];
        return code && y ? [`Observation?patient=${patientRef(s)}&code=${enc(code)}&date=ge${y}-01-01&date=lt${y + 1}-01-01`] : [];
      }),
  },
  {
    kind: 'quantity: Observation?code&value-quantity=gt',
    paths: (s) => quantityObservations(s).map((o) => `Observation?code=${enc(codeOf(o.code)!)}&value-quantity=gt${o.valueQuantity.value}`),
  },
  {
    kind: 'quantity: Observation?value-quantity=value|system|code',
    paths: (s) =>
      quantityObservations(s)
        .filter((o) => o.valueQuantity.system === ucum && o.valueQuantity.code)
        .map((o) => `Observation?value-quantity=${enc(`${o.valueQuantity.value}|${ucum}|${o.valueQuantity.code}`)}`),
  },
  {
    kind: 'composite: Observation?component-code-value-quantity',
    paths: (s) => componentQuantities(s).map(([code, value]) => `Observation?component-code-value-quantity=${enc(`${code}$gt${value}`)}`),
  },
  {
    kind: 'composite: Observation?code-value-quantity',
    paths: (s) => quantityObservations(s).map((o) => `Observation?code-value-quantity=${enc(`${codeOf(o.code)}$ge${o.valueQuantity.value}`)}`),
  },
  {
    kind: 'chained: Observation?subject:Patient.identifier',
    paths: (s) => defined([identifierOf(s.patient)]).map((i) => `Observation?subject:Patient.identifier=${enc(i)}`),
  },
  {
    kind: 'chained: Encounter?subject:Patient.name',
    paths: (s) => defined([usualName(s.patient).family]).map((f) => `Encounter?subject:Patient.name=${enc(f)}`),
  },
  {
    kind: '_has: Patient?_has:Condition:patient:code',
    paths: (s) => defined(s.conditions.map((c) => codeOf(c.code))).map((c) => `Patient?_has:Condition:patient:code=${enc(c)}`),
  },
  {
    kind: '_has: Patient?_has:Observation:patient:code',
    paths: (s) => observationCodes(s).map((c) => `Patient?_has:Observation:patient:code=${enc(c)}`),
  },
  { kind: '_include: Observation?patient&_include=Observation:subject', paths: (s) => [`Observation?patient=${patientRef(s)}&_include=Observation:subject`] },
  {
    kind: '_include: Encounter?patient&_include=Encounter:reason-reference',
    paths: (s) => [`Encounter?patient=${patientRef(s)}&_include=Encounter:reason-reference`],
  },
  { kind: '_revinclude: Patient?_id&_revinclude=Observation:subject', paths: (s) => [`Patient?_id=${s.patient.id}&_revinclude=Observation:subject`] },
  {
    kind: '_revinclude: Encounter?patient&_revinclude=Observation:encounter',
    paths: (s) => [`Encounter?patient=${patientRef(s)}&_revinclude=Observation:encounter`],
  },
  { kind: 'sort: Observation?code&_sort=-date&_count=50', paths: (s) => observationCodes(s).map(sortedByDate) },
  { kind: 'sort, page 2: Observation?code&_sort=-date&_count=50', paths: (s) => observationCodes(s).map(sortedByDate), secondPage: true },
  { kind: 'sort: Patient?gender&_sort=birthdate', paths: (s) => defined([s.patient.gender]).map(sortedByBirthDate) },
  { kind: 'sort, page 2: Patient?gender&_sort=birthdate', paths: (s) => defined([s.patient.gender]).map(sortedByBirthDate), secondPage: true },
  { kind: 'count: Observation?code&_summary=count', paths: (s) => observationCodes(s).map((c) => `Observation?code=${enc(c)}&_summary=count`) },
  { kind: '_total=accurate: Observation?code', paths: (s) => observationCodes(s).map((c) => `Observation?code=${enc(c)}&_total=accurate`) },
  { kind: 'capabilities: GET /metadata', paths: () => ['metadata'] },
];

function sortedByDate(code: string): string {
  return `Observation?code=${enc(code)}&_sort=-date&_count=50`;
}

function sortedByBirthDate(gender: string): string {
  return `Patient?gender=${gender}&_sort=birthdate&_count=20`;
}
