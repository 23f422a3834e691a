// The network as it is, described compactly (ids, names, places, people), before any FHIR resource is
// built: the structure builder turns it into resources, and the patient generator picks clinics, teams,
// nurses and pharmacists from it. It is the same for every generator seed: the network is fixed.
import { institutionRegistrationNumber, organizationCode, siteInstitutionCode, staffResidentIndexBase, uscc } from '../identifiers';
import { personName, type PersonName } from '../names';
import { SeededRandom, streamSeed, weightedPick } from '../random';
import { cityName, districts, placeNames, roadNames, type District } from './city';
import { distanceKm } from '../../server/workflows/homecare/geo';

export type ClinicKind = 'community-health-service-centre' | 'township-central-health-centre' | 'township-health-centre';
export type SiteKind = 'community-health-service-station' | 'village-clinic';
export type StaffRole = 'doctor' | 'nurse' | 'pharmacist';
export type EqaStatus = 'passed' | 'failed' | 'not-assessed' | 'expired';

export interface Place {
  district: District;
  line: string;
  latitude: number;
  longitude: number;
}

export interface StaffMember {
  practitionerId: string;
  roleId: string;
  /** Distinct per person, for a unique resident ID number. */
  residentIndex: number;
  name: PersonName;
  male: boolean;
  birthDate: string;
  role: StaffRole;
  /** practitioner-qualification code of the professional title. */
  title: string;
  /** Extra qualifications (specialist nursing certificates). */
  certificates: string[];
  yearsOfPractice: number;
  organizationId: string;
  specialty: string;
  teamId?: string;
  /** Home-care nurses: the services she may perform and her service area (a Location). */
  homeCareServices?: string[];
  serviceAreaId?: string;
  serviceArea?: Place;
  /** Home-care nurses: the radius (km) of the service area around its position; every home of the clinic lies inside. */
  serviceRadiusKm?: number;
}

export interface Site {
  id: string;
  name: string;
  kind: SiteKind;
  code: string;
  place: Place;
}

export interface Team {
  id: string;
  name: string;
  generalPractitioner: StaffMember;
  healthManager: StaffMember;
  specialist: StaffMember;
}

export interface Clinic {
  id: string;
  /** 1-based number in the network. */
  number: number;
  name: string;
  alias: string;
  kind: ClinicKind;
  ws218: 'B100' | 'C210' | 'C220';
  orgCode: string;
  place: Place;
  sites: Site[];
  teams: Team[];
  homeCareNurses: StaffMember[];
  /** The clinic laboratory's external quality assessment status, and its recognition scope when passed. */
  eqa: EqaStatus;
  recognitionScope: 'network' | 'city' | 'provincial' | 'national';
}

export interface Hospital {
  id: string;
  name: string;
  alias: string;
  level: 'tertiary' | 'secondary';
  orgCode: string;
  place: Place;
  specialists: StaffMember[];
}

export interface NetworkDirectory {
  network: { id: string; name: string; alias: string; orgCode: string; place: Place };
  leadHospital: { id: string; name: string; alias: string; orgCode: string; place: Place };
  cloudPharmacy: { id: string; name: string; alias: string; orgCode: string; place: Place; pharmacists: StaffMember[] };
  hospitals: Hospital[];
  clinics: Clinic[];
}

/** The one stream the network's structure is drawn from; the generator's --seed does not change it. */
const structureSeed = 2026;

const tertiaryHospitals: readonly (readonly [string, string, number])[] = [
  ['青禾市第一人民医院', 'Qinghe First People’s Hospital', 1],
  ['青禾市第二人民医院', 'Qinghe Second People’s Hospital', 2],
  ['青禾市第三人民医院', 'Qinghe Third People’s Hospital', 3],
  ['青禾医科大学第一附属医院', 'First Affiliated Hospital of Qinghe Medical University', 4],
  ['青禾医科大学第二附属医院', 'Second Affiliated Hospital of Qinghe Medical University', 6],
  ['青禾市中医医院', 'Qinghe Hospital of Traditional Chinese Medicine', 1],
  ['青禾市中西医结合医院', 'Qinghe Hospital of Integrated Chinese and Western Medicine', 5],
  ['青禾市胸科医院', 'Qinghe Chest Hospital', 2],
  ['青禾市心血管病医院', 'Qinghe Cardiovascular Hospital', 3],
  ['青禾市代谢病医院', 'Qinghe Metabolic Diseases Hospital', 4],
  ['青禾市眼科医院', 'Qinghe Eye Hospital', 6],
  ['青禾市肾病医院', 'Qinghe Kidney Disease Hospital', 5],
];

const secondaryHospitals: readonly (readonly [string, string, number])[] = [
  ['新港区人民医院', 'Xingang District People’s Hospital', 7],
  ['云溪区人民医院', 'Yunxi District People’s Hospital', 8],
  ['石门区人民医院', 'Shimen District People’s Hospital', 12],
  ['柳庄区人民医院', 'Liuzhuang District People’s Hospital', 13],
  ['宁川区中医医院', 'Ningchuan District Hospital of Traditional Chinese Medicine', 15],
];

/** Patients live within this distance (km) of their clinic (seed/patients/patient-record.ts places their homes). */
export const homeRadiusKm = 2.5;

export const networkCounts = {
  clinics: 266,
  sites: 549,
  tertiaryHospitals: tertiaryHospitals.length,
  secondaryHospitals: secondaryHospitals.length,
  cloudPharmacists: 24,
  specialistsPerHospital: 8,
  homeCareNursesPerClinic: 2,
} as const;

/** Services every home-care nurse may perform: those needing only the title of 护师 (nurse practitioner). */
const basicHomeCareServices = [
  'vital-signs-monitoring', 'pressure-injury-prevention', 'wound-dressing', 'urinary-catheter-replacement',
  'urinary-catheter-care', 'gastric-tube-replacement', 'nasogastric-feeding-care', 'venous-blood-sampling',
  'capillary-glucose-testing', 'intramuscular-injection', 'subcutaneous-injection', 'insulin-pen-training',
  'limb-function-training', 'fall-prevention', 'post-stroke-rehabilitation-guidance', 'chronic-disease-education',
  'medication-guidance', 'nutrition-guidance', 'home-monitoring-guidance',
];
/** Services that also need a supervisor nurse (主管护师), or a specialist certificate as well. */
const supervisorServices = ['intravenous-infusion', 'tracheostomy-care', 'palliative-symptom-care'];
const woundOstomyServices = ['stoma-care', 'pressure-ulcer-care'];
const supervisorWoundServices = ['diabetic-foot-care'];
const tcmServices = ['acupuncture', 'moxibustion', 'cupping', 'tuina', 'auricular-acupressure'];

let cached: NetworkDirectory | undefined;

/** The network's directory (built once per process; it is deterministic). */
export function networkDirectory(): NetworkDirectory {
  cached ??= buildDirectory();
  return cached;
}

function buildDirectory(): NetworkDirectory {
  const rng = new SeededRandom(streamSeed(structureSeed, 'structure'));
  let staffNumber = 0;
  let orgSerial = 100;
  const nextOrgCode = (): string => organizationCode(++orgSerial);
  const centre = districts[0];
  const placeIn = (district: District, spreadKm: number): Place => ({
    district,
    line: `${rng.pick(roadNames)}${rng.int(1, 399)}号`,
    latitude: round5(district.latitude + rng.normal(0, spreadKm / 111)),
    longitude: round5(district.longitude + rng.normal(0, spreadKm / 92)),
  });
  const staff = (role: StaffRole, organizationId: string, title: string, specialty: string, minYears = 0): StaffMember => {
    const n = ++staffNumber;
    const male = rng.chance(role === 'doctor' ? 0.55 : role === 'nurse' ? 0.06 : 0.35);
    const years = Math.max(minYears, rng.int(1, 32));
    const birthYear = 2025 - years - (role === 'doctor' ? rng.int(24, 28) : rng.int(20, 23));
    const birthDate = `${birthYear}-${pad2(rng.int(1, 12))}-${pad2(rng.int(1, 28))}`;
    return {
      practitionerId: `prac-${pad(n, 4)}`,
      roleId: `role-${pad(n, 4)}`,
      residentIndex: staffResidentIndexBase + n,
      name: personName('staff', n, male, rng),
      male,
      birthDate,
      role,
      title,
      certificates: [],
      yearsOfPractice: years,
      organizationId,
      specialty,
    };
  };
  const doctorTitle = (): string =>
    weightedPick(rng, [['resident-physician', 25], ['attending-physician', 45], ['associate-chief-physician', 22], ['chief-physician', 8]] as const, (t) => t[1])[0];

  const network = { id: 'org-network', name: `${cityName}区域数字健康共同体`, alias: 'Qinghe Regional Digital Health Community', orgCode: nextOrgCode(), place: placeIn(centre, 0.5) };
  const leadHospital = { id: 'org-internet-hospital', name: `${cityName}互联网医院`, alias: 'Qinghe Internet Hospital', orgCode: nextOrgCode(), place: placeIn(centre, 1) };
  const pharmacyPlace = placeIn(districts[1], 2);
  const cloudPharmacy = {
    id: 'org-cloud-pharmacy',
    name: `${cityName.slice(0, 2)}云药房`,
    alias: 'Qinghe Cloud Pharmacy',
    orgCode: nextOrgCode(),
    place: pharmacyPlace,
    pharmacists: Array.from({ length: networkCounts.cloudPharmacists }, () =>
      staff('pharmacist', 'org-cloud-pharmacy', weightedPick(rng, [['pharmacist', 50], ['supervisor-pharmacist', 35], ['associate-chief-pharmacist', 12], ['chief-pharmacist', 3]] as const, (t) => t[1])[0], '药学部', 2)
    ),
  };

  const hospitals: Hospital[] = [];
  const addHospitals = (list: typeof tertiaryHospitals, level: Hospital['level']): void => {
    for (const [name, alias, districtNumber] of list) {
      const id = `org-hospital-${pad(hospitals.length + 1, 2)}`;
      const specialists = Array.from({ length: networkCounts.specialistsPerHospital }, (_, i) =>
        staff('doctor', id, weightedPick(rng, [['attending-physician', 30], ['associate-chief-physician', 45], ['chief-physician', 25]] as const, (t) => t[1])[0], i % 2 === 0 ? '心血管内科' : '内分泌科', 5)
      );
      hospitals.push({ id, name, alias, level, orgCode: nextOrgCode(), place: placeIn(districts[districtNumber - 1], 2), specialists });
    }
  };
  addHospitals(tertiaryHospitals, 'tertiary');
  addHospitals(secondaryHospitals, 'secondary');
  const specialists = hospitals.flatMap((h) => h.specialists);

  const clinics: Clinic[] = [];
  let placeCursor = 0;
  for (const district of districts) {
    const spread = district.kind === 'urban' ? 2 : district.kind === 'suburban' ? 6 : 12;
    const kinds: ClinicKind[] = [
      ...Array<ClinicKind>(district.centres).fill('community-health-service-centre'),
      ...Array.from({ length: district.townships }, (_, i): ClinicKind => (i % 4 === 0 ? 'township-central-health-centre' : 'township-health-centre')),
    ];
    for (const kind of kinds) {
      const [place, placePinyin] = placeNames[placeCursor++ % placeNames.length];
      const number = clinics.length + 1;
      const id = `org-clinic-${pad(number, 3)}`;
      const township = kind !== 'community-health-service-centre';
      const name =
        kind === 'community-health-service-centre'
          ? `${district.name}${place}街道社区卫生服务中心`
          : `${district.name}${place}镇${kind === 'township-central-health-centre' ? '中心' : ''}卫生院`;
      const alias = township
        ? `${placePinyin} Township ${kind === 'township-central-health-centre' ? 'Central ' : ''}Health Centre, ${district.pinyin} District`
        : `${placePinyin} Community Health Service Centre, ${district.pinyin} District`;
      const teamCount = kind === 'township-health-centre' ? 2 : 3;
      const teams: Team[] = Array.from({ length: teamCount }, (_, t) => {
        const teamId = `team-${pad(number, 3)}-${t + 1}`;
        const gp = { ...staff('doctor', id, doctorTitle(), '全科医学科'), teamId };
        const manager = {
          ...staff('nurse', id, weightedPick(rng, [['nurse', 30], ['nurse-practitioner', 50], ['supervisor-nurse', 20]] as const, (x) => x[1])[0], '健康管理'),
          teamId,
        };
        return { id: teamId, name: `${place}${t + 1}号家庭医生团队`, generalPractitioner: gp, healthManager: manager, specialist: rng.pick(specialists) };
      });
      const clinicPlace = placeIn(district, spread);
      const homeCareNurses = Array.from({ length: networkCounts.homeCareNursesPerClinic }, (_, n) => {
        const supervisor = n === 0;
        const nurse = staff('nurse', id, supervisor ? 'supervisor-nurse' : 'nurse-practitioner', '居家护理', 5);
        nurse.certificates = supervisor ? ['specialist-nurse-wound-ostomy'] : ['tcm-nursing-technique'];
        nurse.homeCareServices = supervisor
          ? [...basicHomeCareServices, ...supervisorServices, ...woundOstomyServices, ...supervisorWoundServices]
          : [...basicHomeCareServices, ...tcmServices];
        nurse.serviceAreaId = `loc-area-${nurse.practitionerId.slice(5)}`;
        nurse.serviceArea = { ...clinicPlace, latitude: round5(clinicPlace.latitude + rng.normal(0, 0.01)), longitude: round5(clinicPlace.longitude + rng.normal(0, 0.012)) };
        // Wide enough for every home of the clinic's patients (within homeRadiusKm of the clinic), by half kilometres.
        nurse.serviceRadiusKm = Math.max(3, Math.ceil((distanceKm(nurse.serviceArea, clinicPlace) + homeRadiusKm + 0.2) * 2) / 2);
        return nurse;
      });
      const eqa = weightedPick(rng, [['passed', 88], ['failed', 5], ['not-assessed', 4], ['expired', 3]] as const, (x) => x[1])[0];
      clinics.push({
        id,
        number,
        name,
        alias,
        kind,
        ws218: kind === 'community-health-service-centre' ? 'B100' : kind === 'township-central-health-centre' ? 'C210' : 'C220',
        orgCode: nextOrgCode(),
        place: clinicPlace,
        sites: [],
        teams,
        homeCareNurses,
        eqa,
        recognitionScope: weightedPick(rng, [['network', 10], ['city', 55], ['provincial', 32], ['national', 3]] as const, (x) => x[1])[0],
      });
    }
  }
  addSites(clinics, rng);
  return { network, leadHospital, cloudPharmacy, hospitals, clinics };
}

/** 549 sites: at least one per clinic, the rest spread at random, townships' villages weighing more. */
function addSites(clinics: Clinic[], rng: SeededRandom): void {
  const counts = clinics.map(() => 1);
  for (let extra = networkCounts.sites - clinics.length; extra > 0; extra--) {
    const clinic = weightedPick(rng, clinics, (c) => (c.kind === 'community-health-service-centre' ? 1 : 1.3));
    counts[clinic.number - 1]++;
  }
  const serialInDistrict = new Map<string, number>();
  let placeCursor = 17;
  for (const clinic of clinics) {
    const kind: SiteKind = clinic.kind === 'community-health-service-centre' ? 'community-health-service-station' : 'village-clinic';
    for (let s = 0; s < counts[clinic.number - 1]; s++) {
      const [place] = placeNames[placeCursor++ % placeNames.length];
      const region = clinic.place.district.region;
      const serial = (serialInDistrict.get(region) ?? 0) + 1;
      serialInDistrict.set(region, serial);
      const shortName = clinic.name.replace(clinic.place.district.name, '');
      clinic.sites.push({
        id: `org-site-${pad(clinic.number, 3)}-${s + 1}`,
        name: kind === 'village-clinic' ? `${shortName.replace(/(中心)?卫生院$/, '')}${place}村卫生室` : `${shortName.replace(/社区卫生服务中心$/, '')}${place}社区卫生服务站`,
        kind,
        code: siteInstitutionCode(region, serial, kind === 'village-clinic' ? 'village-clinic' : 'station'),
        place: {
          district: clinic.place.district,
          line: `${place}${kind === 'village-clinic' ? '村' : '里'}${rng.int(1, 99)}号`,
          latitude: round5(clinic.place.latitude + rng.normal(0, 0.02)),
          longitude: round5(clinic.place.longitude + rng.normal(0, 0.024)),
        },
      });
    }
  }
}

/** The institution's registration number (the license identifier) of a legal-entity member. */
export function registrationNumber(orgCode: string, place: Place, ws218: string): string {
  return institutionRegistrationNumber(orgCode, place.district.region, ws218);
}

export function usccOf(orgCode: string, place: Place, kind: '12' | '91' = '12'): string {
  return uscc(kind, place.district.region, orgCode);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function pad2(n: number): string {
  return pad(n, 2);
}

function round5(x: number): number {
  return Math.round(x * 1e5) / 1e5;
}
