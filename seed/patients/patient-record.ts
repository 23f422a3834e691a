// The one patient generator, shared by the seed and the benchmark: a managed chronic patient of the
// network with the Patient, insurance, chronic Conditions, follow-up visits with their measurements,
// laboratory reports, cloud-pharmacy prescriptions and home care. Deterministic for (index, seed); ids
// derive from the index, so a benchmark can compute any id or search value without storing it.
import type { Address, Condition, Coverage, Extension, Patient, Resource } from '@medplum/fhirtypes';
import { geolocationExtension, offsetPosition, type Position } from '../../server/workflows/homecare/geo';
import { concept, day, localDate, profileMeta, ref, systems } from '../fhir';
import { uniqueResidentId } from '../identifiers';
import { familyNameOf, humanNames, personName, type PersonName } from '../names';
import { SeededRandom, streamSeed, weightedPick } from '../random';
import { roadNames } from '../network/city';
import { homeRadiusKm, networkDirectory, type Clinic, type NetworkDirectory, type Team } from '../network/directory';
import { address } from '../network/resources';
import { ageBands, caseMix, windowStart } from './case-mix';
import { followUpVisits } from './follow-ups';
import { homeCare } from './home-care';
import { laboratoryReports } from './labs';
import { cloudPrescriptions } from './pharmacy';
import { referrals } from './referrals';

export interface ChronicCondition {
  id: string;
  kind: 'hypertension' | 'diabetes';
  display: string;
}

/** What the parts of a record share about their patient. */
export interface PatientContext {
  index: number;
  seed: number;
  id: string;
  name: PersonName;
  male: boolean;
  birthDate: string;
  /** Age in years on 2025-01-01. */
  age: number;
  clinic: Clinic;
  team: Team;
  home: Address;
  coverageId: string;
  hypertension?: ChronicCondition;
  diabetes?: ChronicCondition;
  network: NetworkDirectory;
  /** An independent random stream for one part of the record. */
  stream(part: string): SeededRandom;
}

export function patientId(index: number): string {
  return `pat-${index}`;
}

/** The family name (Chinese, pinyin) of a patient index, known without generating the record. */
export function patientFamilyName(index: number): { family: string; pinyin: string } {
  const [family, pinyin] = familyNameOf('patient', index);
  return { family, pinyin };
}

function demographics(index: number, seed: number): { male: boolean; birthDate: string; age: number } {
  const rng = new SeededRandom(streamSeed(seed, 'patient', index, 'demographics'));
  const male = rng.chance(0.49);
  const [low, high] = weightedPick(rng, ageBands, (b) => b[2]);
  const age = rng.int(low, high);
  const born = new Date(Date.UTC(2025 - age - 1, 0, 2) + rng.int(0, 364) * day);
  return { male, birthDate: localDate(born.getTime()), age };
}

/** The resident ID number of a patient index, recomputable without generating the record. */
export function patientResidentId(index: number, seed: number): string {
  const { male, birthDate } = demographics(index, seed);
  return uniqueResidentId(index, birthDate, male);
}

/** Clinics weighted by their district's population shared among its clinics. */
function clinicOf(rng: SeededRandom, network: NetworkDirectory): Clinic {
  const perDistrict = new Map<string, number>();
  for (const c of network.clinics) {
    perDistrict.set(c.place.district.region, (perDistrict.get(c.place.district.region) ?? 0) + 1);
  }
  return weightedPick(rng, network.clinics, (c) => c.place.district.population / perDistrict.get(c.place.district.region)!);
}

/** Every resource of one patient, in an order where each reference points at an earlier resource where it can. */
export function patientRecord(index: number, seed: number, network: NetworkDirectory = networkDirectory()): Resource[] {
  const { male, birthDate, age } = demographics(index, seed);
  const rng = new SeededRandom(streamSeed(seed, 'patient', index, 'record'));
  const id = patientId(index);
  const clinic = clinicOf(rng, network);
  const team = rng.pick(clinic.teams);
  const mix = rng.next();
  const hasHypertension = mix < caseMix.hypertensionOnly + caseMix.both;
  const hasDiabetes = mix >= caseMix.hypertensionOnly;
  const name = personName('patient', index, male, rng);
  const building = `${rng.int(1, 30)}栋${rng.int(1, 6)}单元${rng.int(1, 18)}0${rng.int(1, 4)}室`;
  const street = address({ ...clinic.place, line: `${rng.pick(roadNames)}${rng.int(1, 299)}号` }, 'home');
  const home: Address = { ...street, line: [...street.line!, building], text: `${street.text}${building}`, extension: [homePosition(clinic.place, index, seed)] };
  const context: PatientContext = {
    index,
    seed,
    id,
    name,
    male,
    birthDate,
    age,
    clinic,
    team,
    home,
    coverageId: `${id}-cov`,
    network,
    stream: (part) => new SeededRandom(streamSeed(seed, 'patient', index, part)),
  };
  const resources: Resource[] = [patientResource(context, rng), coverage(context, rng.chance(0.55))];
  if (hasHypertension) {
    const code = weightedPick(rng, hypertensionCodes, (c) => c.weight);
    context.hypertension = { id: `${id}-htn`, kind: 'hypertension', display: code.text };
    resources.push(condition(context, context.hypertension, code, rng));
  }
  if (hasDiabetes) {
    context.diabetes = { id: `${id}-t2dm`, kind: 'diabetes', display: diabetesCode.text };
    resources.push(condition(context, context.diabetes, diabetesCode, rng));
  }
  const visits = followUpVisits(context);
  resources.push(...visits.resources);
  resources.push(...laboratoryReports(context, visits.labDays));
  resources.push(...cloudPrescriptions(context));
  resources.push(...homeCare(context));
  resources.push(...referrals(context, visits.resources));
  return resources;
}

function patientResource(context: PatientContext, rng: SeededRandom): Patient {
  const { clinic, team } = context;
  const enrolled = 2010 + rng.int(0, 13);
  return {
    resourceType: 'Patient',
    id: context.id,
    meta: profileMeta('dhc-patient'),
    identifier: [
      { use: 'official', system: systems.residentId, value: uniqueResidentId(context.index, context.birthDate, context.male) },
      {
        use: 'secondary',
        system: systems.healthRecord,
        value: `${clinic.place.district.region}${String(clinic.number).padStart(3, '0')}${enrolled}${String(context.index % 10_000_000).padStart(7, '0')}`,
      },
    ],
    active: true,
    name: humanNames(context.name),
    // 100 is no mobile prefix in China (mobile numbers start with 13-19), so no real phone answers.
    telecom: [{ system: 'phone', value: `+86-100-${String(context.index % 10_000).padStart(4, '0')}-${String(rng.int(0, 9999)).padStart(4, '0')}`, use: 'mobile' }],
    gender: context.male ? 'male' : 'female',
    birthDate: context.birthDate,
    address: [context.home],
    generalPractitioner: [ref('PractitionerRole', team.generalPractitioner.roleId, `${team.generalPractitioner.name.family}${team.generalPractitioner.name.given} 家庭医生`)],
    managingOrganization: ref('Organization', clinic.id, clinic.name),
  };
}

function coverage(context: PatientContext, employee: boolean): Coverage {
  return {
    resourceType: 'Coverage',
    id: context.coverageId,
    status: 'active',
    type: { text: employee ? '城镇职工基本医疗保险' : '城乡居民基本医疗保险' },
    beneficiary: ref('Patient', context.id),
    payor: [{ display: '青禾市医疗保障局' }],
  };
}

interface DiagnosisCode {
  icd10: string;
  icd10Display: string;
  national: string;
  text: string;
  weight: number;
}

/** Assumed shares of hypertension diagnoses: essential hypertension, hypertensive heart disease, secondary. */
const hypertensionCodes: readonly DiagnosisCode[] = [
  { icd10: 'I10', icd10Display: 'Essential (primary) hypertension', national: 'I10.x00', text: '原发性高血压', weight: 88 },
  { icd10: 'I11.9', icd10Display: 'Hypertensive heart disease without (congestive) heart failure', national: 'I11.900', text: '高血压性心脏病', weight: 8 },
  { icd10: 'I15.9', icd10Display: 'Secondary hypertension, unspecified', national: 'I15.900', text: '继发性高血压', weight: 4 },
];
const diabetesCode: DiagnosisCode = {
  icd10: 'E11.9',
  icd10Display: 'Non-insulin-dependent diabetes mellitus without complications',
  national: 'E11.900',
  text: '2型糖尿病',
  weight: 1,
};

function condition(context: PatientContext, chronic: ChronicCondition, code: DiagnosisCode, rng: SeededRandom): Condition {
  const yearsAgo = rng.int(1, Math.max(1, Math.min(20, context.age - 33)));
  const onset = localDate(windowStart - yearsAgo * 365 * day + rng.int(0, 364) * day);
  return {
    resourceType: 'Condition',
    id: chronic.id,
    meta: profileMeta('dhc-chronic-condition'),
    clinicalStatus: concept(systems.conditionClinical, 'active', 'Active'),
    verificationStatus: concept(systems.conditionVerification, 'confirmed', 'Confirmed'),
    category: [concept(systems.conditionCategory, 'problem-list-item', 'Problem List Item')],
    code: {
      coding: [
        { system: systems.icd10, code: code.icd10, display: code.icd10Display },
        { system: systems.icd10cn, code: code.national, display: code.text },
      ],
      text: code.text,
    },
    subject: ref('Patient', context.id, context.name.family + context.name.given),
    onsetDateTime: onset,
    recordedDate: onset,
    recorder: ref('PractitionerRole', context.team.generalPractitioner.roleId),
  };
}

/**
 * Where the home is (the geolocation extension on the address): within homeRadiusKm of the clinic, in
 * its district, drawn from a stream of its own so that the rest of the record does not change with it.
 */
function homePosition(clinicPlace: Position, index: number, seed: number): Extension {
  const rng = new SeededRandom(streamSeed(seed, 'patient', index, 'home-position'));
  const at = offsetPosition(clinicPlace, homeRadiusKm * Math.sqrt(rng.next()), rng.next() * 2 * Math.PI);
  return geolocationExtension({ latitude: round6(at.latitude), longitude: round6(at.longitude) });
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
